"""Small helpers the team copies between scripts."""

import random
import time


def retry_with_backoff(fn, attempts=5, wait=0.1):
    """Call fn until it succeeds or attempts run out.

    The wait doubles after each failure, with a little jitter so that many
    clients retrying at once do not hit the server in lockstep.
    """
    last_error = None
    for _ in range(attempts):
        try:
            return fn()
        except Exception as err:  # noqa: BLE001 - we re-raise the last one
            last_error = err
            time.sleep(wait * (1 + random.random() / 10))
            wait *= 2
    raise last_error
