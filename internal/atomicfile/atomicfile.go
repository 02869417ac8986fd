// Package atomicfile writes files so that a crash at any moment leaves
// either the old state or the whole new file, never part of one: the data
// goes to a temporary file beside the target, is synced, and is then renamed
// (or linked) into place, and the folder is synced.
package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Create writes data to path only if nothing is there yet; otherwise it
// returns an error wrapping fs.ErrExist and leaves the existing file alone.
// Unlike a check followed by a write, two Creates racing for one path
// cannot both succeed: the whole file is linked into place.
func Create(path string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, tempPattern(path))
	if err != nil {
		return writeError(path, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // after a rename there is nothing left to remove
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(perm)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return writeError(path, err)
	}
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("write %s: %w", path, fs.ErrExist)
		}
		return writeError(path, err)
	}
	return SyncDir(dir)
}

// writeError returns err, met writing path through a temporary file, said of
// path: a failed write or sync of the temporary file names the file it
// was to become, which is the file its caller knows.
func writeError(path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return &fs.PathError{Op: "write", Path: path, Err: pe.Err}
	}
	return fmt.Errorf("write %s: %w", path, err)
}

// tempPattern returns the name of a temporary file for path, for
// os.CreateTemp: ".NAME.tmp-PID-RANDOM", so that Clean can tell one left
// by a process that died from one being written now.
func tempPattern(path string) string {
	return fmt.Sprintf(".%s.tmp-%d-*", filepath.Base(path), os.Getpid())
}

// Clean removes from dir the temporary files that a process killed while
// writing left there: those of processes that no longer run, and those
// of older versions (".NAME.tmpRANDOM") an hour old. It returns how many
// it removed.
func Clean(dir string) (int, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("clean %s: %w", dir, err)
	}
	removed := 0
	for _, e := range entries {
		if !e.Type().IsRegular() || !leftOver(e) {
			continue
		}
		if err := os.Remove(filepath.Join(dir, e.Name())); err == nil {
			removed++
		} else if !errors.Is(err, fs.ErrNotExist) {
			return removed, fmt.Errorf("clean %s: %w", dir, err)
		}
	}
	return removed, nil
}

// leftOver reports whether e is a temporary file nobody is writing.
func leftOver(e fs.DirEntry) bool {
	name := e.Name()
	i := strings.LastIndex(name, ".tmp")
	if !strings.HasPrefix(name, ".") || i < 0 {
		return false
	}
	rest := name[i+len(".tmp"):]
	if pid, _, ok := strings.Cut(strings.TrimPrefix(rest, "-"), "-"); strings.HasPrefix(rest, "-") && ok {
		n, err := strconv.Atoi(pid)
		return err == nil && n != os.Getpid() && !running(n)
	}
	if _, err := strconv.ParseUint(rest, 10, 64); err != nil {
		return false
	}
	info, err := e.Info()
	return err == nil && time.Since(info.ModTime()) > time.Hour
}

// SyncDir flushes a folder's entries (new, renamed or removed files) to disk.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

// ReplaceDir puts the folder tmp in the place of dir: dir is renamed
// aside, tmp renamed into place, and the old one removed. A crash between
// the renames leaves dir missing and dir.old whole.
func ReplaceDir(tmp, dir string) error {
	old := dir + ".old"
	if err := os.RemoveAll(old); err != nil {
		return err
	}
	if err := os.Rename(dir, old); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		return err
	}
	return os.RemoveAll(old)
}
