package atomicfile

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// syncFiles flushes files, which are in dirs, to disk: with one syncfs(2)
// of the file system they are on when the folders are all on one, else
// one by one.
func syncFiles(files []string, dirs map[string]bool) error {
	var dev uint64
	var first string
	for dir := range dirs {
		var st unix.Stat_t
		if err := unix.Stat(dir, &st); err != nil {
			return fmt.Errorf("sync %s: %w", dir, err)
		}
		if first != "" && st.Dev != dev {
			return syncEach(files)
		}
		dev, first = st.Dev, dir
	}
	if first == "" {
		return nil
	}
	d, err := os.Open(first)
	if err != nil {
		return fmt.Errorf("sync %s: %w", first, err)
	}
	defer d.Close()
	if err := unix.Syncfs(int(d.Fd())); err != nil {
		return fmt.Errorf("sync %s: %w", first, err)
	}
	return nil
}
