//go:build !unix

package atomicfile

import "os"

// running reports whether a process with id pid runs.
func running(pid int) bool {
	_, err := os.FindProcess(pid)
	return err == nil
}
