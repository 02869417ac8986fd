//go:build !unix

package indexsock

import "errors"

// checkPrivate refuses: without unix file ownership no folder is known to
// be private.
func checkPrivate(string) error {
	return errors.New("no folder is known to be private here: move the home to a shorter path")
}
