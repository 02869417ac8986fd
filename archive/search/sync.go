package search

import (
	"errors"
	"fmt"
	"io/fs"
	"mailbag/archive"
	"os"
	"path/filepath"
)

// SyncResult says what Sync did.
type SyncResult struct {
	// Indexed is how many post files were new or changed and indexed.
	Indexed int
	// Removed is how many posts left the index: files deleted, or no
	// longer valid posts.
	Removed int
	// Problems are the post files left out, one error each naming the file.
	Problems []error
	// Rebuilt says why OpenIndex built the index anew ("" when it did
	// not): there was none, it was made by another version or for another
	// time zone, or it could not be read.
	Rebuilt string
	// Model says why the archive's model of meaning was not learnt again
	// where it was due (model.go); the index is up to date, and past
	// answers are weighed by the model it had. It is tried again once the
	// archive has doubled, or by another process.
	Model error
	// Generation changes whenever the index changes, by this Sync or by
	// any other update or rebuild: a reader that saw another generation
	// has something new to read.
	Generation uint64
}

// Sync brings the index up to date with the post files in posts.Dir,
// reading only the files that changed (by size and modification time) since
// they were indexed, so that a post edited, added or deleted by hand is found
// as it now is. Files that are not valid posts, or take a slug another file
// has, are left out and reported in the result; the error is for a failure
// of the index itself.
func (x *Index) Sync(posts *archive.Posts) (SyncResult, error) {
	var res SyncResult
	x.readTextsFrom(posts.Dir)
	entries, err := os.ReadDir(posts.Dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return res, fmt.Errorf("archive: sync index: %w", err)
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	x.swap.RLock()
	defer x.swap.RUnlock()

	m, err := x.manifest()
	if err != nil {
		return res, fmt.Errorf("archive: sync index: %w", err)
	}
	changed, gone, err := compare(m, posts.Dir, entries)
	if err != nil {
		return res, fmt.Errorf("archive: sync index: %w", err)
	}
	before := make(map[string]bool, len(m))
	owner := make(map[string]string, len(m)) // slug -> file name
	for name, f := range m {
		before[f.Slug] = true
		owner[f.Slug] = name
	}
	for _, name := range gone {
		delete(owner, m[name].Slug)
	}

	read, problems := posts.ReadHeaders(changed) // bodies are read a batch at a time by update
	res.Problems = problems
	archive.SortPosts(read)
	var fresh []*archive.Post
	for _, p := range read {
		name := filepath.Base(p.Path)
		if other, ok := owner[p.Slug]; ok && other != name {
			res.Problems = append(res.Problems, fmt.Errorf("%s: slug %q is already used by %s", p.Path, p.Slug, other))
			continue
		}
		owner[p.Slug] = name
		fresh = append(fresh, p)
	}
	res.Indexed = len(fresh)
	if len(gone) > 0 || len(fresh) > 0 {
		if err := x.update(m, fresh, gone); err != nil {
			return res, fmt.Errorf("archive: sync index: %w", err)
		}
	}
	res.Model = x.refreshModel(posts) // the index is up to date whatever it says
	for _, f := range m {
		delete(before, f.Slug)
	}
	res.Removed = len(before)
	res.Generation = x.gen.Load()
	return res, nil
}

// compare sets the post files in dir (entries) against the manifest m:
// changed are the paths of files new or changed since they were indexed,
// gone the names of indexed files gone or changed. Both lose their old
// document; the changed ones that still read are indexed again.
func compare(m map[string]indexedFile, dir string, entries []os.DirEntry) (changed, gone []string, err error) {
	present := make(map[string]bool, len(entries))
	for _, e := range entries {
		if !e.Type().IsRegular() || !archive.IsPostFile(e.Name()) {
			continue
		}
		present[e.Name()] = true
		fi, err := e.Info()
		if err != nil {
			return nil, nil, err
		}
		if f, ok := m[e.Name()]; !ok || f.Size != fi.Size() || f.ModTime != fi.ModTime().UnixNano() {
			changed = append(changed, filepath.Join(dir, e.Name()))
		}
	}
	for name := range m {
		if !present[name] {
			gone = append(gone, name)
		}
	}
	for _, path := range changed {
		if _, ok := m[filepath.Base(path)]; ok {
			gone = append(gone, filepath.Base(path))
		}
	}
	return changed, gone, nil
}
