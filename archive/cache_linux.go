package archive

import (
	"os"

	"golang.org/x/sys/unix"
)

// dropCached asks the kernel to drop the cached pages of the file at path
// that no process has mapped (posix_fadvise POSIX_FADV_DONTNEED): what
// was just written and synced goes to the disk's copy, and a reader maps
// in only what it reads.
func dropCached(path string) {
	f, err := os.Open(path)
	if err != nil {
		return
	}
	defer f.Close()
	unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED)
}
