package archive

import (
	"io/fs"
	"path/filepath"
	"sync"
	"time"
)

// The index's files and the kernel's cache of them.
//
// bleve maps each segment of the index into memory, and the kernel counts
// in the process's memory every cached page of a segment it has touched.
// A file just written sits in the cache in large blocks (folios of up to
// megabytes, on Linux 6.18 with ext4), and a search touching one byte of a
// block maps the whole of it: after a reindex of 100,000 posts, serve's
// searches mapped 150 MB of a 230 MB index, where the same searches over
// the same files read back from the disk mapped 28 MB. So what mailbag
// writes of the index leaves the cache once it is on the disk: the whole
// index after a rebuild, each update's new segments after the update, and
// those of bleve's merges that follow an update, mergeSettle after it.
// Pages a search has mapped already stay where they are. The texts file
// (texts.go) keeps its cache: search reads it, and what is read into the
// cache is not in a process's memory.

// mergeSettle is how long after an update the index's new files are
// looked for again: bleve merges small segments in the background.
const mergeSettle = 10 * time.Second

// cacheDropper drops the cache of an index's files once each.
type cacheDropper struct {
	mu    sync.Mutex
	dir   string
	seen  map[string]bool // the files already dropped, by path
	timer *time.Timer     // the look after mergeSettle; nil when none is due
	stop  bool
}

// newCacheDropper is a cacheDropper for the index in dir, its files as
// they are now taken as dropped already.
func newCacheDropper(dir string) *cacheDropper {
	d := &cacheDropper{dir: dir, seen: map[string]bool{}}
	filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err == nil && e.Type().IsRegular() {
			d.seen[path] = true
		}
		return nil
	})
	return d
}

// dropAll drops the cache of every file of the index in dir.
func dropAll(dir string) {
	(&cacheDropper{dir: dir}).dropNew()
}

// dropNew drops the cache of the files in d.dir not dropped before, and
// forgets the files gone.
func (d *cacheDropper) dropNew() {
	d.mu.Lock()
	defer d.mu.Unlock()
	present := map[string]bool{}
	filepath.WalkDir(d.dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil || !e.Type().IsRegular() {
			return nil
		}
		present[path] = true
		if !d.seen[path] && filepath.Base(path) != textsName { // search reads the texts, it does not map them
			dropCached(path)
		}
		return nil
	})
	d.seen = present
}

// dropSoon drops the cache of the new files now and again after
// mergeSettle.
func (d *cacheDropper) dropSoon() {
	d.dropNew()
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.stop {
		return
	}
	if d.timer == nil {
		d.timer = time.AfterFunc(mergeSettle, d.dropNew)
	} else {
		d.timer.Reset(mergeSettle)
	}
}

// close stops the look due after mergeSettle.
func (d *cacheDropper) close() {
	if d == nil {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.stop = true
	if d.timer != nil {
		d.timer.Stop()
	}
}
