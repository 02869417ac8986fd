//go:build !linux

package site

import "log/slog"

// watchDir reports a change every two seconds: only Linux's inotify is
// used to be told of changes.
func watchDir(dir string, log *slog.Logger) (changes <-chan struct{}, stop func()) {
	return pollEvery(pollInterval)
}
