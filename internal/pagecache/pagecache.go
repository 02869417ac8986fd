// Package pagecache keeps an index's files in the kernel's page cache in
// pages of their own, so that a process mapping them counts only what it
// reads (Linux; elsewhere it does nothing).
package pagecache

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
// file the index wrote as it closes (Written). A search
// then maps in only what it reads, and reads it from memory, not from the
// disk (with the cache dropped and not read back, a query's first run
// after a reindex took up to three times as long). Pages a search has
// mapped already stay where they are. Files the index reads rather than
// maps (its texts file) are left alone: what is read is not in a
// process's memory.
//
// What it buys is on BenchmarkServe's serve-RSS-MB and serve-peak-MB
// (the index's pages serve maps, which are the kernel's to drop: its own
// memory, serve-anon-MB, is the same either way). On 6 December at
// 10,000 posts: RSS 116 MB after the load and a peak of 119 MB, where
// without it they were 135 and 153 MB; at 100,000 posts, when it was
// written, the searches mapped 28 MB of the index rather than 150 MB.

// mergeSettle is how long after an update the index's new files are
// looked for again: bleve merges small segments in the background.
const mergeSettle = 10 * time.Second

// Recacher recaches an index's files once each.
type Recacher struct {
	mu    sync.Mutex
	dir   string
	skip  string          // the name of files left alone
	seen  map[string]bool // the files already recached, by path
	old   map[string]bool // the files there when the recacher was made
	timer *time.Timer     // the look after mergeSettle; nil when none is due
	stop  bool
}

// New returns a Recacher for the index in dir, its files as they are now
// taken as recached already; files named skip are never recached.
func New(dir, skip string) *Recacher {
	d := &Recacher{dir: dir, skip: skip, seen: map[string]bool{}, old: map[string]bool{}}
	filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err == nil && e.Type().IsRegular() {
			d.seen[path], d.old[path] = true, true
		}
		return nil
	})
	return d
}

// All recaches every file of the index in dir but those named skip.
func All(dir, skip string) {
	(&Recacher{dir: dir, skip: skip}).New()
}

// New recaches the files in d.dir not recached before, and forgets
// the files gone.
func (d *Recacher) New() {
	d.mu.Lock()
	defer d.mu.Unlock()
	present := map[string]bool{}
	filepath.WalkDir(d.dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil || !e.Type().IsRegular() {
			return nil
		}
		present[path] = true
		if !d.seen[path] && filepath.Base(path) != d.skip {
			recache(path)
		}
		return nil
	})
	d.seen = present
}

// Soon recaches the new files now and again after mergeSettle.
func (d *Recacher) Soon() {
	d.New()
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.stop {
		return
	}
	if d.timer == nil {
		d.timer = time.AfterFunc(mergeSettle, d.New)
	} else {
		d.timer.Reset(mergeSettle)
	}
}

// Written recaches every file in d.dir written since the recacher
// was made, as the index closes. While it is open, bleve maps its
// segments, and the pages it has touched stay in the blocks they were
// written in, recached or not: after an import, whose last segments bleve
// opened as it merged them, serve mapped 127 MB of the index where a
// reindex's took 61 MB.
func (d *Recacher) Written() {
	if d == nil {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	filepath.WalkDir(d.dir, func(path string, e fs.DirEntry, err error) error {
		if err == nil && e.Type().IsRegular() && !d.old[path] && filepath.Base(path) != d.skip {
			recache(path)
		}
		return nil
	})
}

// Close stops the look due after mergeSettle.
func (d *Recacher) Close() {
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
