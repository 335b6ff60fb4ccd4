// Package ingest indexes a folder of notes or code into the store: the files
// stay the source of truth and every run makes the collection match them.
//
// A run is a small pipeline. One walker lists the folder (ignore rules,
// hidden entries, symlinks: see walk.go); a pool of workers stats each file
// and, only when its size or mtime differs from the stored file state, reads,
// hashes and parses it, and compresses it for the store (store.Prepare); a
// single committer groups the results into batches and writes each batch
// with one store.ApplyPrepared, file states included, so an interrupted run
// leaves a consistent store that the next run completes. On a collection's
// first run a compression dictionary is trained from samples of the folder
// while the workers parse; nothing is compressed before it is ready, and
// the committer compresses (on all cores) what was parsed in the meantime.
// Files gone from the folder become deletes, or moves when an added file has
// the same content, once the walk is complete, and never under a directory
// that could not be read.
package ingest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"
	"time"

	"golang.org/x/sync/semaphore"

	"github.com/kotadb/kotadb/parse"
	"github.com/kotadb/kotadb/store"
)

// Defaults for Options. A batch is one transaction: larger ones commit
// (and fsync) less often and leave less copy-on-write garbage in the file;
// 1024 files instead of 512 made the test vault's database 0.67 of its
// bytes instead of 0.72, as fast (db/raw and docs/s of
// go test ./ingest -run '^$' -bench 'ColdIngest$').
const (
	DefaultMaxSize   = 10 << 20
	DefaultBatchDocs = 1024
	// DefaultBatchBytes is small because a batch's file contents stay on
	// the heap until it commits (with their compressed copies): at 16 MiB
	// the first batch of opentelemetry-docs was the peak of a whole
	// DB.Index, index building included. Commits are cheap next to that.
	DefaultBatchBytes = 4 << 20
	DefaultAuthor     = "fs"
)

// maxQueued bounds the files queued between the stages of a run, whatever
// the batch size, and maxQueuedBytes the contents of the files read and
// waiting for the committer: while it commits, or waits for the dictionary
// before its first commit, the workers go on only until the queue holds
// that much (a whole corpus piled up there otherwise).
const (
	maxQueued      = 2048
	maxQueuedBytes = 4 << 20
)

// racyWindow is how far before the start of a run a file's mtime must be
// for its stat to be trusted next time. Filesystem timestamps are coarse
// (a kernel tick, or worse on some filesystems), so a file written twice in
// the same tick keeps its mtime; like git's "racily clean" check, such
// files are hashed again on the next run.
const racyWindow = 2 * time.Second

// Progress receives the progress of a run: the number of files once the
// walk knows it, then one Add per file processed.
type Progress interface {
	SetTotal(int)
	Add(int)
}

// Options tune Index. The zero value indexes with the defaults.
type Options struct {
	// Name is the collection; by default the folder's base name, sanitized
	// (see SanitizeName), or the name the folder is already registered as.
	Name string
	// MaxSize skips larger files ("too large"); 0 means the source's
	// registered limit or DefaultMaxSize.
	MaxSize int64
	// Workers stat, read, hash and parse files; 0 means GOMAXPROCS.
	Workers int
	// BatchDocs and BatchBytes bound a batch (one transaction).
	BatchDocs  int
	BatchBytes int
	// Author is recorded on every version; default "fs".
	Author string
	// Progress, when set, is told how far the run is.
	Progress Progress
	// OnBatch, when set, is called after each committed batch with the
	// versions it made, from the goroutine that called Index.
	OnBatch func(versions []store.Version)
	// OnParsed, when set, is called after each committed batch, before
	// OnBatch, with the documents parsed for the puts of files that made a
	// version, so that what derives from documents (kotadb's indices) need
	// not read and parse those versions again. Puts the batch made without
	// a document (moves) are not in it.
	OnParsed func([]Parsed)
}

// Parsed is a file ingestion read, parsed and committed: Doc is what
// parse.Parse gives for Content with the times Version.Doc records (and
// warnings naming the file by its path in the collection), which is the
// document kotadb derives again from the stored version.
type Parsed struct {
	Version store.Version
	Doc     *parse.Document
	Content []byte
}

func (o Options) withDefaults(src store.Source) Options {
	if o.MaxSize <= 0 {
		o.MaxSize = src.MaxSize
	}
	if o.MaxSize <= 0 {
		o.MaxSize = DefaultMaxSize
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.BatchDocs <= 0 {
		o.BatchDocs = DefaultBatchDocs
	}
	if o.BatchBytes <= 0 {
		o.BatchBytes = DefaultBatchBytes
	}
	if o.Author == "" {
		o.Author = DefaultAuthor
	}
	return o
}

// Index registers dir as a source (see Options.Name) and brings its
// collection up to date with the files. It returns what it did; on error
// (including ctx being cancelled, which stops after the batch being
// committed) the Summary covers the batches committed so far.
func Index(ctx context.Context, st *store.Store, dir string, opts Options) (Summary, error) {
	start := time.Now()
	root, err := resolveRoot(dir)
	if err != nil {
		return Summary{}, fmt.Errorf("index: %w", err)
	}
	src, _, err := registerSource(st, root, opts.Name, opts.MaxSize, start)
	if err != nil {
		return Summary{}, fmt.Errorf("index %s: %w", root, err)
	}
	opts = opts.withDefaults(src)
	sum := Summary{Collection: src.Name}
	err = indexSource(ctx, st, src, opts, start, &sum)
	sum.Elapsed = time.Since(start)
	if f, ok := opts.Progress.(finisher); ok {
		f.Finish()
	}
	if err != nil {
		return sum, fmt.Errorf("index %s into %q: %w", root, src.Name, err)
	}
	src.Indexed = time.Now().UTC()
	src.MaxSize = opts.MaxSize
	if err := st.PutSource(src); err != nil {
		return sum, fmt.Errorf("index %s: record the completed scan: %w", root, err)
	}
	return sum, nil
}

func indexSource(ctx context.Context, st *store.Store, src store.Source, opts Options, start time.Time, sum *Summary) error {
	prior, err := loadStates(st, src.Name)
	if err != nil {
		return err
	}
	stats, err := st.Stats()
	if err != nil {
		return fmt.Errorf("read store stats: %w", err)
	}
	// A collection indexed for the first time gets a compression dictionary
	// trained on its own files before anything is stored.
	train := len(prior) == 0 && stats.Collections[src.Name].Docs == 0

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	tr := &training{done: make(chan struct{}), slots: make(chan struct{}, opts.Workers)}
	proc := &processor{collection: src.Name, prior: prior, maxSize: opts.MaxSize,
		racyFrom: start.Add(-racyWindow).UnixNano(), parse: true, keepParsed: opts.OnParsed != nil,
		st: st, ready: tr.ready}
	depth := min(4*opts.BatchDocs, maxQueued)
	entries := make(chan fileEntry, depth)
	results := make(chan result, depth)
	queued := semaphore.NewWeighted(maxQueuedBytes)
	var walkErr error // set by the feeding goroutine, read once results is closed
	var wg sync.WaitGroup

	w := &walker{root: src.Path, readDir: readDirHook, storeFiles: storeFilesPrefix(st.Path()),
		skip: func(rel, reason string, err error) {
			r := proc.skip(result{key: src.Name + "/" + rel, rel: rel, walked: true}, reason, err)
			sendResult(ctx, results, r)
		},
		unreadableDir: func(rel string, err error) {
			sendResult(ctx, results, result{rel: rel, outcome: outUnreadableDir, err: err})
		},
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(entries)
		walkErr = feed(ctx, w, entries, train, tr, opts, st, src.Name)
	}()
	for range opts.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for e := range entries {
				if ctx.Err() != nil {
					continue // drain so the walker never blocks
				}
				tr.slots <- struct{}{}
				r := proc.process(e)
				<-tr.slots
				if queued.Acquire(ctx, queuedSize(r)) != nil {
					continue // cancelled: nobody takes it
				}
				sendResult(ctx, results, r)
			}
		}()
	}
	go func() {
		wg.Wait()
		close(results)
	}()

	c := newCommitter(st, opts, prior, sum, tr.done)
	c.taken = func(r result) { queued.Release(queuedSize(r)) }
	err = c.consume(ctx, results)
	if err != nil {
		cancel()
		for range results { // let the producers finish
		}
	}
	// Never return while the store is still being trained on.
	<-tr.done
	sum.Dict = tr.info
	if tr.err != nil {
		sum.warn(parse.Warning{Message: "no compression dictionary: " + tr.err.Error()})
	}
	switch {
	case err != nil:
		return err
	case walkErr != nil:
		return walkErr
	case ctx.Err() != nil:
		return ctx.Err()
	}
	return c.finish()
}

// training is a compression dictionary being trained while the workers
// already read and parse: the committer waits for done before its first
// commit so that every blob of the collection can use the dictionary.
type training struct {
	done chan struct{} // closed when info and err are set (or no training)
	info *store.DictInfo
	err  error // a failed training only costs compression: reported, not fatal
	// slots has room for as many files being processed at once as there
	// are workers. Training takes one: with a worker per core, training
	// would otherwise share a core with the workers and finish late, while
	// the files it holds up (nothing is compressed before it ends) pile up.
	slots chan struct{}
}

// ready reports whether training is over (or was never started).
func (t *training) ready() bool {
	select {
	case <-t.done:
		return true
	default:
		return false
	}
}

// feed runs the walker into entries. When a dictionary is to be trained
// it lists the whole folder first so the samples can be spread over it,
// then trains in the background while feeding the workers; the workers
// already get the files the walk finds while it runs, as many as the
// channel holds (never waiting: a worker's result may have to wait for
// the training, which waits for the walk). It closes tr.done when no
// training was started.
func feed(ctx context.Context, w *walker, entries chan<- fileEntry, train bool, tr *training, opts Options, st *store.Store, collection string) error {
	send := func(e fileEntry) error {
		select {
		case entries <- e:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if !train {
		close(tr.done)
		count := 0
		w.file = func(e fileEntry) error { count++; return send(e) }
		err := w.run(ctx)
		if opts.Progress != nil && err == nil {
			opts.Progress.SetTotal(count)
		}
		return err
	}
	var all []fileEntry
	sent := 0 // all[:sent] are with the workers
	w.file = func(e fileEntry) error {
		all = append(all, e)
		if sent == len(all)-1 {
			select {
			case entries <- e:
				sent++
			default:
			}
		}
		return nil
	}
	if err := w.run(ctx); err != nil {
		close(tr.done)
		return err
	}
	if opts.Progress != nil {
		opts.Progress.SetTotal(len(all))
	}
	go func() {
		defer close(tr.done)
		tr.slots <- struct{}{}
		defer func() { <-tr.slots }()
		tr.info, tr.err = trainDictionary(st, collection, all, opts.MaxSize)
	}()
	for _, e := range all[sent:] {
		if err := send(e); err != nil {
			return err
		}
	}
	return nil
}

// queuedSize is what a result counts against maxQueuedBytes: its content,
// or all of the budget for a larger one, which then waits for an empty
// queue.
func queuedSize(r result) int64 { return min(int64(len(r.value)), maxQueuedBytes) }

func sendResult(ctx context.Context, results chan<- result, r result) {
	select {
	case results <- r:
	case <-ctx.Done():
	}
}

// readDirHook lists directories; tests replace it to inject failures.
var readDirHook = os.ReadDir

func loadStates(st *store.Store, collection string) (map[string]store.FileState, error) {
	prior := map[string]store.FileState{}
	err := st.FileStates(collection, func(key string, fs store.FileState) error {
		prior[key] = fs
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load file states of %q: %w", collection, err)
	}
	return prior, nil
}

// warningFor turns a walk or read problem into a Summary warning.
func warningFor(rel string, err error) parse.Warning {
	msg := "unreadable"
	if err != nil {
		msg = err.Error()
		var pe *os.PathError
		if errors.As(err, &pe) {
			msg = pe.Op + ": " + pe.Err.Error()
		}
	}
	w := parse.Warning{Message: msg}
	w.File = rel
	return w
}
