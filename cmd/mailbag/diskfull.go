package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"golang.org/x/sys/unix"

	"mailbag/internal/sqlitedb"
)

// diskFull says, in one sentence, that err is a write that found its
// filesystem full, naming the file and the filesystem; ok is false for
// any other error. database is the home's state database, which SQLite's
// errors do not name ("" when no home was opened).
func diskFull(err error, database string) (msg string, ok bool) {
	var file string
	switch {
	case errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT):
		var pe *fs.PathError
		var le *os.LinkError
		switch {
		case errors.As(err, &le):
			file = le.New
		case errors.As(err, &pe):
			file = pe.Path
		}
	case sqlitedb.WriteFailed(err) && database != "":
		file = database
	default:
		return "", false
	}
	if file == "" {
		return "", false
	}
	mount, free, serr := filesystemOf(file)
	if serr != nil || free > fullBelow && !errors.Is(err, syscall.ENOSPC) {
		return "", false // an I/O error of another kind: said as it is
	}
	return fmt.Sprintf("cannot write %s: the filesystem at %s is full (%s free): free some space there, then run the command again; nothing written before was lost", file, mount, size(free)), true
}

// fullBelow is the free space under which a failed write is taken to be
// a full disk: what SQLite needs to grow its log by a page or two.
const fullBelow = 1 << 20

// filesystemOf returns the mount point of the filesystem holding path
// (the highest folder above it on the same device) and its space free to
// unprivileged users, in bytes.
func filesystemOf(path string) (mount string, free uint64, err error) {
	dir, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return "", 0, err
	}
	var st unix.Stat_t
	for unix.Stat(dir, &st) != nil && dir != filepath.Dir(dir) { // the file's folder may not exist yet
		dir = filepath.Dir(dir)
	}
	dev := st.Dev
	mount = dir
	for up := filepath.Dir(mount); up != mount; up = filepath.Dir(mount) {
		if unix.Stat(up, &st) != nil || st.Dev != dev {
			break
		}
		mount = up
	}
	var fsst unix.Statfs_t
	if err := unix.Statfs(dir, &fsst); err != nil {
		return mount, 0, err
	}
	return mount, fsst.Bavail * uint64(fsst.Bsize), nil
}

// size returns n bytes for a person: "0 bytes", "312 KB", "4.2 MB".
func size(n uint64) string {
	switch {
	case n < 1024:
		return plural(int(n), "byte")
	case n < 1<<20:
		return fmt.Sprintf("%d KB", n/1024)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}
