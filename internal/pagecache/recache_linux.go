package pagecache

import (
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// recacheChunk is how much of a file recache reads at a time: the kernel
// reads a chunk's pages in one request, each page on its own.
const recacheChunk = 256 << 10

// recache drops the cached pages of the file at path that no process has
// mapped (posix_fadvise POSIX_FADV_DONTNEED), then reads the file back
// with the kernel's read-ahead off (POSIX_FADV_RANDOM), which caches it
// in pages of their own, not in the large blocks it was written in: a
// process mapping the file then maps in what it reads, and reads it from
// memory.
func recache(path string) {
	f, err := os.Open(path)
	if err != nil {
		return
	}
	defer f.Close()
	fd := int(f.Fd())
	unix.Fadvise(fd, 0, 0, unix.FADV_DONTNEED)
	unix.Fadvise(fd, 0, 0, unix.FADV_RANDOM)
	io.CopyBuffer(io.Discard, onlyReader{f}, make([]byte, recacheChunk))
}

// onlyReader hides the file's WriteTo, so that io.CopyBuffer reads it in
// chunks of the buffer's size.
type onlyReader struct{ io.Reader }
