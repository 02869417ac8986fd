//go:build !linux

package atomicfile

// syncFiles flushes files to disk one by one.
func syncFiles(files []string, dirs map[string]bool) error {
	return syncEach(files)
}
