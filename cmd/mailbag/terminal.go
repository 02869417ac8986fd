package main

import (
	"os"

	"golang.org/x/sys/unix"
)

// isTerminal reports whether v, standard input or output, is a terminal: a
// person types at it, or reads it. A character device is not enough:
// /dev/null is one, and a command run from cron or a service with its input
// from /dev/null must not wait for an answer.
func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}
