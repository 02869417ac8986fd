package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"mailbag/archive"
	"mailbag/archive/indexsock"
	"mailbag/archive/search"
	"mailbag/archive/site"
	"mailbag/internal/lockfile"
)

// indexWait is how long a command waits for the search index while
// another command (a reindex, say) has it.
const indexWait = 30 * time.Second

// searchIndex is the search index as the commands use it: the index
// itself, or the one a running serve holds, reached through its socket.
type searchIndex interface {
	site.Index // Sync, Search, Answers
	Related(ctx context.Context, text string, n int) ([]search.Hit, error)
	Add(posts ...*archive.Post) error
	Merge() error
	Close() error
}

var (
	_ searchIndex = (*indexsock.Client)(nil)
	_ searchIndex = ownIndex{}
)

// ownIndex is an index this process opened itself, with the lock that
// keeps every other process from opening or rebuilding it meanwhile.
type ownIndex struct {
	*search.Index
	lock *lockfile.Lock
}

// Close closes the index, then lets the lock go.
func (o ownIndex) Close() error {
	err := o.Index.Close()
	o.lock.Release()
	return err
}

// openIndex opens the home's search index for a command: through the
// socket of a running serve, which then does the work (serve alone writes
// the index while it runs), or with none, the index itself, brought up to
// date with posts/ (rebuilt, saying why, when there is none or it cannot be
// read).
func (a *app) openIndex(ctx context.Context, n *newsletter) (searchIndex, error) {
	c, lock, err := a.reachIndex(ctx, n, indexWait)
	if err != nil {
		return nil, err
	}
	if c != nil {
		// As the index itself is synced when opened: posts edited by
		// hand are found as they now are.
		if _, err := c.Sync(n.posts); err != nil {
			return nil, err
		}
		return c, nil
	}
	x, err := a.openOwnIndex(n)
	if err != nil {
		lock.Release()
		return nil, err
	}
	return ownIndex{x, lock}, nil
}

// openOwnIndex opens the index under the lock reachIndex took, and says
// what it had to do.
func (a *app) openOwnIndex(n *newsletter) (*search.Index, error) {
	x, res, err := search.OpenIndex(n.home.Index(), n.posts)
	if err != nil {
		return nil, err
	}
	switch {
	case res.Rebuilt == search.RebuiltNew:
		a.log.Debug("search index built from posts/", "posts", res.Indexed)
	case res.Rebuilt != "":
		a.log.Warn("search index rebuilt from posts/", "why", res.Rebuilt, "posts", res.Indexed)
	}
	for _, p := range res.Problems {
		a.log.Warn("post left out of the index", "problem", oneLine(p))
	}
	if res.Model != nil {
		a.log.Warn("past answers are weighed by the archive's model of meaning as it was", "problem", oneLine(res.Model))
	}
	if res.Indexed > 0 || res.Removed > 0 {
		a.log.Debug("search index updated", "indexed", res.Indexed, "removed", res.Removed)
	}
	return x, nil
}

// reachIndex waits until this process may use the home's index: it
// returns a running serve's client, or, with none, the held lock
// (.mailbag/index.lock) under which this process alone opens, writes or
// rebuilds the index. wait bounds the wait (0: until ctx is done); serve
// passes 0 and never uses another's client.
func (a *app) reachIndex(ctx context.Context, n *newsletter, wait time.Duration) (*indexsock.Client, *lockfile.Lock, error) {
	addr, err := indexsock.Address(n.home.State())
	if err != nil {
		return nil, nil, err
	}
	start, told := a.now(), false
	for {
		if wait > 0 {
			if c, err := indexsock.Dial(addr); err == nil {
				a.log.Debug("the search index of the running mailbag serve", "socket", addr)
				return c, nil, nil
			}
		}
		lock, err := lockfile.Acquire(filepath.Join(n.home.State(), "index.lock"))
		if !errors.Is(err, lockfile.ErrLocked) {
			return nil, lock, err
		}
		if wait > 0 && a.now().Sub(start) > wait {
			return nil, nil, fmt.Errorf("%w (%v): try again when it has finished", search.ErrIndexBusy, err)
		}
		if !told {
			a.log.Info("waiting for the search index: another mailbag command has it", "lock", err)
			told = true
		}
		select {
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
