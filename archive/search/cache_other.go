//go:build !linux

package search

// recache does nothing where posix_fadvise is not at hand.
func recache(string) {}
