package search

import (
	"io"
	"runtime"
	"sync"
	"sync/atomic"
)

// A segment's sections are written in a fixed order by one sectionWriter
// (it checksums every block of the file), but several are built
// independently of the others: the text dictionary (from the postings'
// offsets, as they are written), the keyword lists and dictionary, the
// numeric columns, the keys. writeSections describes each such group of
// sections as a sectionJob. Helper goroutines, GOMAXPROCS-1 of them, take
// the jobs in the order they were queued (an urgent one first) and build
// them into memory; when the writer reaches a job's sections it writes
// that memory out, or, if no helper took the job, runs it itself straight
// into the file (no copy). While it waits for a job a helper runs, the
// writer builds any job not yet taken. With GOMAXPROCS=1 every job runs
// inline, in order, as a plain sequential writer would. The output is
// the same bytes either way (TestWriteSectionsProcs).

// sectionSink is what a job writes its sections to: the sectionWriter
// itself, or a sectionBuf to be copied to it later.
type sectionSink interface {
	io.Writer
	begin(id uint32)
	end()
}

// sectionJob builds one or more consecutive sections.
type sectionJob struct {
	run     func(s sectionSink) error
	claimed atomic.Bool
	buf     *sectionBuf // when run by a helper (or ahead of its turn)
	err     error
	done    chan struct{} // closed when a buffered run has finished
}

// sectionJobs runs the jobs of one segment write.
type sectionJobs struct {
	mu      sync.Mutex
	queue   []*sectionJob
	more    *sync.Cond // signalled when a job is queued or closed is set
	closed  bool
	workers sync.WaitGroup
}

// newSectionJobs starts the helpers, GOMAXPROCS-1 of them (none on one
// core). close must be called (it waits for them).
func newSectionJobs() *sectionJobs {
	j := &sectionJobs{}
	j.more = sync.NewCond(&j.mu)
	for range runtime.GOMAXPROCS(0) - 1 {
		j.workers.Go(j.work)
	}
	return j
}

func (j *sectionJobs) work() {
	for {
		j.mu.Lock()
		for len(j.queue) == 0 && !j.closed {
			j.more.Wait()
		}
		if len(j.queue) == 0 {
			j.mu.Unlock()
			return
		}
		job := j.queue[0]
		j.queue = j.queue[1:]
		j.mu.Unlock()
		if job.claimed.CompareAndSwap(false, true) {
			job.runBuffered()
		}
	}
}

// add queues a job whose inputs are ready; an urgent one goes first.
func (j *sectionJobs) add(urgent bool, run func(s sectionSink) error) *sectionJob {
	job := &sectionJob{run: run, done: make(chan struct{})}
	j.mu.Lock()
	if urgent {
		j.queue = append([]*sectionJob{job}, j.queue...)
	} else {
		j.queue = append(j.queue, job)
	}
	j.mu.Unlock()
	j.more.Signal()
	return job
}

// close lets the helpers go once the queue is empty and waits for them.
// Jobs nobody has taken are dropped (claimed, never run): close is called
// when the writer is done with every job, or has failed and will report
// its own error.
func (j *sectionJobs) close() {
	j.mu.Lock()
	for _, job := range j.queue {
		job.claimed.Store(true)
	}
	j.queue = nil
	j.closed = true
	j.mu.Unlock()
	j.more.Broadcast()
	j.workers.Wait()
}

func (job *sectionJob) runBuffered() {
	defer close(job.done)
	job.buf = &sectionBuf{}
	job.err = job.run(job.buf)
}

// writeTo writes the job's sections to sw: running it there if nobody
// has, else waiting for it (building the queue's untaken jobs meanwhile)
// and copying what it built.
func (j *sectionJobs) writeTo(sw *sectionWriter, job *sectionJob) error {
	if job.claimed.CompareAndSwap(false, true) {
		return job.run(sw)
	}
	for !job.finished() && j.runAhead() {
	}
	<-job.done
	if job.err != nil {
		return job.err
	}
	err := job.buf.replay(sw)
	job.buf = nil
	return err
}

func (job *sectionJob) finished() bool {
	select {
	case <-job.done:
		return true
	default:
		return false
	}
}

// runAhead runs the first untaken job into memory, reporting false when
// there is none.
func (j *sectionJobs) runAhead() bool {
	j.mu.Lock()
	var job *sectionJob
	for len(j.queue) > 0 && job == nil {
		if j.queue[0].claimed.CompareAndSwap(false, true) {
			job = j.queue[0]
		}
		j.queue = j.queue[1:]
	}
	j.mu.Unlock()
	if job == nil {
		return false
	}
	job.runBuffered()
	return true
}

// sectionBuf holds sections built off the writer, in chunks (no copying
// as it grows), from small ones (most sections are small) to
// sectionChunk.
type sectionBuf struct {
	chunks [][]byte
	secs   []bufSection
	size   int
}

type bufSection struct {
	id         uint32
	start, end int
}

const sectionChunk = 64 << 10

func (b *sectionBuf) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		if k := len(b.chunks); k == 0 || len(b.chunks[k-1]) == cap(b.chunks[k-1]) {
			size := 4 << 10
			if k > 0 {
				size = min(2*cap(b.chunks[k-1]), sectionChunk)
			}
			b.chunks = append(b.chunks, make([]byte, 0, size))
		}
		c := &b.chunks[len(b.chunks)-1]
		k := copy((*c)[len(*c):cap(*c)], p)
		*c = (*c)[:len(*c)+k]
		p = p[k:]
	}
	b.size += n
	return n, nil
}

func (b *sectionBuf) begin(id uint32) { b.secs = append(b.secs, bufSection{id: id, start: b.size}) }
func (b *sectionBuf) end()            { b.secs[len(b.secs)-1].end = b.size }

// replay writes the sections to sw.
func (b *sectionBuf) replay(sw *sectionWriter) error {
	ci, co := 0, 0 // position in the chunks
	for _, s := range b.secs {
		sw.begin(s.id)
		for n := s.end - s.start; n > 0; {
			c := b.chunks[ci][co:]
			k := min(n, len(c))
			if _, err := sw.Write(c[:k]); err != nil {
				return err
			}
			n -= k
			if co += k; co == len(b.chunks[ci]) {
				ci, co = ci+1, 0
			}
		}
		sw.end()
	}
	return nil
}
