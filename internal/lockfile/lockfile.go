// Package lockfile keeps two processes from doing the same job on one
// newsletter home at once, with an advisory lock (flock) on a file. The
// lock goes with the process: a killed process leaves no stale lock.
package lockfile

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// ErrLocked means another process holds the lock.
var ErrLocked = errors.New("lockfile: held by another process")

// Lock is a held lock.
type Lock struct{ f *os.File }

// Acquire takes the lock on path without waiting, and writes this process's
// ID into the file. The error wraps ErrLocked, naming the holder's process
// ID when it is known, when another process has it.
func Acquire(path string) (*Lock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lockfile: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		pid, _ := os.ReadFile(path)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			if p := strings.TrimSpace(string(pid)); p != "" {
				return nil, fmt.Errorf("%w (process %s)", ErrLocked, p)
			}
			return nil, ErrLocked
		}
		return nil, fmt.Errorf("lockfile: %w", err)
	}
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &Lock{f: f}, nil
}

// Release lets the lock go.
func (l *Lock) Release() error {
	return l.f.Close()
}
