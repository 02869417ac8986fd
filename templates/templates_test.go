package templates

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEveryTemplateIsUsed fails when a built-in template is named nowhere in
// the code outside this package.
func TestEveryTemplateIsUsed(t *testing.T) {
	var code strings.Builder
	err := filepath.WalkDir("..", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "templates" || d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != ".." {
			return filepath.SkipDir
		}
		if strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go") {
			b, err := os.ReadFile(path)
			code.Write(b)
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	names := Names()
	if len(names) == 0 {
		t.Fatal("no built-in templates")
	}
	for _, name := range names {
		if !strings.Contains(code.String(), `"`+name+`"`) {
			t.Errorf("the template %s is used nowhere", name)
		}
	}
}

func TestOverride(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "draft.md"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := Source(dir, "draft.md"); err != nil || string(b) != "mine" {
		t.Errorf("Source with an override = %q, %v", b, err)
	}
	if b, err := Source(t.TempDir(), "draft.md"); err != nil || !strings.Contains(string(b), "{{.Placeholder}}") {
		t.Errorf("Source without one = %q, %v", b, err)
	}
	if _, err := Source("", "nope.md"); err == nil {
		t.Error("Source of a template that does not exist succeeded")
	}
}
