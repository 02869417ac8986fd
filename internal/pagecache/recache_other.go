//go:build !linux

package pagecache

// recache does nothing where posix_fadvise is not at hand.
func recache(string) {}
