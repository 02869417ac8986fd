//go:build !unix

package search

import "os"

// mapFile maps nothing here: the texts file is read with ReadAt.
func mapFile(*os.File, int64) ([]byte, error) { return nil, nil }

// unmapFile undoes mapFile.
func unmapFile([]byte) error { return nil }
