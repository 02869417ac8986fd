package site

import (
	"log/slog"
	"os"

	"golang.org/x/sys/unix"
)

// watchDir reports changes to the files of dir (created, written, moved,
// removed) on the returned channel, from inotify(7): nothing is polled.
// stop ends the watch. Where dir cannot be watched, changes are reported
// every two seconds instead, and the log says why.
func watchDir(dir string, log *slog.Logger) (changes <-chan struct{}, stop func()) {
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK) // non-blocking: the runtime poller reads it, and Close stops the read
	if err == nil {
		_, err = unix.InotifyAddWatch(fd, dir, unix.IN_CREATE|unix.IN_CLOSE_WRITE|unix.IN_MOVED_TO|unix.IN_MOVED_FROM|unix.IN_DELETE|unix.IN_ATTRIB)
		if err != nil {
			unix.Close(fd)
		}
	}
	if err != nil {
		log.Warn("posts/ cannot be watched: looking every two seconds", "dir", dir, "err", err)
		return pollEvery(pollInterval)
	}
	f := os.NewFile(uintptr(fd), "inotify")
	out := make(chan struct{}, 1)
	go func() {
		buf := make([]byte, 64<<10)
		for {
			if _, err := f.Read(buf); err != nil {
				return // closed by stop
			}
			select {
			case out <- struct{}{}:
			default:
			}
		}
	}()
	return out, func() { f.Close() }
}
