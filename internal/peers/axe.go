package peers

import (
	"os"
	"path/filepath"
	"testing"
)

// AxeScript returns axe-core, the accessibility engine the browser tests
// run in Chromium: the file MAILBAG_AXE names, else the one scripts/test
// installs (~/.cache/mailbag-axe). A test without it skips, and fails
// under CI.
func AxeScript(t testing.TB) string {
	t.Helper()
	path := os.Getenv("MAILBAG_AXE")
	if path == "" {
		dir, _ := os.UserCacheDir()
		path = filepath.Join(dir, "mailbag-axe", "node_modules", "axe-core", "axe.min.js")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("axe-core is not installed (%v): scripts/test installs it", err)
		}
		t.Skipf("axe-core is not installed (%v): scripts/test installs it", err)
	}
	return string(b)
}
