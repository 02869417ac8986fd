//go:build unix

package indexsock

import (
	"fmt"
	"os"
	"syscall"
)

// checkPrivate says why dir is not a folder only this user may enter, if
// it is not.
func checkPrivate(dir string) error {
	fi, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("cannot use %s: %w", dir, err)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	switch {
	case !fi.IsDir():
		return fmt.Errorf("%s is not a folder (a link?): remove it", dir)
	case !ok || int(st.Uid) != os.Getuid():
		return fmt.Errorf("%s belongs to another user: set XDG_RUNTIME_DIR to a folder of yours", dir)
	case fi.Mode().Perm()&0o077 != 0:
		return fmt.Errorf("others may enter %s (mode %v): chmod 700 it", dir, fi.Mode().Perm())
	}
	return nil
}
