package search

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
// writes of the index is dropped from the cache once it is on the disk,
// and read back into it page by page (recache): the whole index after a
// rebuild, each update's new segments after the update, those of
// bleve's merges that follow an update, mergeSettle after it, and every
// file the index wrote as it closes (recacheWritten). A search
// then maps in only what it reads, and reads it from memory, not from the
// disk (with the cache dropped and not read back, a query's first run
// after a reindex took up to three times as long). Pages a search has
// mapped already stay where they are. The texts file (texts.go) is left
// alone: search reads it, and what is read is not in a process's memory.

// mergeSettle is how long after an update the index's new files are
// looked for again: bleve merges small segments in the background.
const mergeSettle = 10 * time.Second

// recacher recaches an index's files once each.
type recacher struct {
	mu    sync.Mutex
	dir   string
	seen  map[string]bool // the files already recached, by path
	old   map[string]bool // the files there when the recacher was made
	timer *time.Timer     // the look after mergeSettle; nil when none is due
	stop  bool
}

// newRecacher is a recacher for the index in dir, its files as they are
// now taken as recached already.
func newRecacher(dir string) *recacher {
	d := &recacher{dir: dir, seen: map[string]bool{}, old: map[string]bool{}}
	filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err == nil && e.Type().IsRegular() {
			d.seen[path], d.old[path] = true, true
		}
		return nil
	})
	return d
}

// recacheAll recaches every file of the index in dir.
func recacheAll(dir string) {
	(&recacher{dir: dir}).recacheNew()
}

// recacheNew recaches the files in d.dir not recached before, and forgets
// the files gone.
func (d *recacher) recacheNew() {
	d.mu.Lock()
	defer d.mu.Unlock()
	present := map[string]bool{}
	filepath.WalkDir(d.dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil || !e.Type().IsRegular() {
			return nil
		}
		present[path] = true
		if !d.seen[path] && filepath.Base(path) != textsName { // search reads the texts, it does not map them
			recache(path)
		}
		return nil
	})
	d.seen = present
}

// recacheSoon recaches the new files now and again after mergeSettle.
func (d *recacher) recacheSoon() {
	d.recacheNew()
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.stop {
		return
	}
	if d.timer == nil {
		d.timer = time.AfterFunc(mergeSettle, d.recacheNew)
	} else {
		d.timer.Reset(mergeSettle)
	}
}

// recacheWritten recaches every file in d.dir written since the recacher
// was made, as the index closes. While it is open, bleve maps its
// segments, and the pages it has touched stay in the blocks they were
// written in, recached or not: after an import, whose last segments bleve
// opened as it merged them, serve mapped 127 MB of the index where a
// reindex's took 61 MB.
func (d *recacher) recacheWritten() {
	if d == nil {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	filepath.WalkDir(d.dir, func(path string, e fs.DirEntry, err error) error {
		if err == nil && e.Type().IsRegular() && !d.old[path] && filepath.Base(path) != textsName {
			recache(path)
		}
		return nil
	})
}

// close stops the look due after mergeSettle.
func (d *recacher) close() {
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
