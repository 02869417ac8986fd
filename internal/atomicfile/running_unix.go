//go:build unix

package atomicfile

import (
	"errors"
	"syscall"
)

// running reports whether a process with id pid runs (another user's
// counts: signal 0 is refused, not unanswered).
func running(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
