//go:build !linux

package archive

// dropCached does nothing where posix_fadvise is not at hand.
func dropCached(string) {}
