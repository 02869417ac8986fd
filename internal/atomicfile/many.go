package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// File is one file for CreateAll to write.
type File struct {
	Path string
	Data []byte
	Perm os.FileMode
}

// CreateAll writes each of files as Create does, each whole or not at
// all, with two flushes of the disk in all where Create has two per file:
// the data goes to temporary files beside their targets, all are flushed at
// once, each is linked into place, then the folders are flushed. errs[i]
// is what happened to files[i] (wrapping fs.ErrExist when a file was there
// already, which is left alone); err is a failure that stopped them all,
// and then none was created.
func CreateAll(files []File) (errs []error, err error) {
	errs = make([]error, len(files))
	tmps := make([]string, len(files))
	defer func() {
		for _, tmp := range tmps {
			if tmp != "" {
				os.Remove(tmp) // linked, or not wanted: the temporary name goes
			}
		}
	}()
	dirs := map[string]bool{}
	for i, f := range files {
		dir := filepath.Dir(f.Path)
		dirs[dir] = true
		tmp, err := os.CreateTemp(dir, tempPattern(f.Path))
		if err != nil {
			return nil, writeError(f.Path, err)
		}
		tmps[i] = tmp.Name()
		_, err = tmp.Write(f.Data)
		if err == nil {
			err = tmp.Chmod(f.Perm)
		}
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, writeError(f.Path, err)
		}
	}
	if err := syncFiles(tmps, dirs); err != nil {
		return nil, err
	}
	for i, f := range files {
		if err := os.Link(tmps[i], f.Path); err != nil {
			if errors.Is(err, fs.ErrExist) {
				errs[i] = fmt.Errorf("write %s: %w", f.Path, fs.ErrExist)
				continue
			}
			errs[i] = fmt.Errorf("write %s: %w", f.Path, err)
		}
	}
	for dir := range dirs {
		if err := SyncDir(dir); err != nil {
			return nil, err
		}
	}
	return errs, nil
}

// syncEach flushes files one by one.
func syncEach(files []string) error {
	for _, path := range files {
		f, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("sync %s: %w", path, err)
		}
		err = f.Sync()
		f.Close()
		if err != nil {
			return fmt.Errorf("sync %s: %w", path, err)
		}
	}
	return nil
}
