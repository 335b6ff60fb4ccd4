// Command kotadb indexes folders of notes and code into a versioned document
// store and reads them back. Run `kotadb help` for the list of commands.
//
// Machine output goes to stdout, messages to stderr. Exit codes: 0 success,
// 1 error, 2 usage error; `kotadb verify` also uses 3 (drift) and 4
// (corruption).
package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"golang.org/x/term"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], processEnv())
	stop()
	os.Exit(code)
}

// env is everything a command touches outside its arguments, so tests can
// run commands in-process with buffers.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	// stderrIsTerminal turns the progress bar on.
	stderrIsTerminal bool
	now              func() time.Time
}

func processEnv() env {
	return env{
		stdin:            os.Stdin,
		stdout:           os.Stdout,
		stderr:           os.Stderr,
		stderrIsTerminal: term.IsTerminal(int(os.Stderr.Fd())),
		now:              time.Now,
	}
}
