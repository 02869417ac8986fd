// Package peers starts the real servers that mailbag's tests talk to, on
// 127.0.0.1 only, and stops them by process ID when the test ends: Dovecot
// (IMAP), Mailpit (SMTP), Chromium; and, for fast tests, the demo's
// in-process servers of go-imap and go-smtp (internal/memserver), stopped
// when the test ends. Only tests import it: the binary links no testing
// code (internal/architecture checks).
//
// A peer that is not installed makes the test skip, except when the CI
// environment variable is set: there the test fails, so that CI never passes
// by testing less. scripts/test installs every peer.
package peers

import (
	"os"
	"os/exec"
	"testing"
)

// need returns the path of program, or skips (fails under CI) the test
// when it is not installed.
func need(t testing.TB, program, pkg string) string {
	t.Helper()
	path, err := exec.LookPath(program)
	if err == nil {
		return path
	}
	for _, dir := range []string{"/usr/sbin", "/usr/local/sbin", "/sbin"} {
		if _, err := os.Stat(dir + "/" + program); err == nil {
			return dir + "/" + program
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is not installed, and CI is set: install it (apt-get install %s), as scripts/test does", program, pkg)
	}
	t.Skipf("%s is not installed (apt-get install %s; scripts/test does it)", program, pkg)
	return ""
}
