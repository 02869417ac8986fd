// Package architecture checks docs/architecture.md against the code: which
// package may import which, and what the binary links.
package architecture

import (
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

const module = "mailbag"

// allowed reads the table of docs/architecture.md: for each package, the
// packages of ours it may import.
func allowed(t *testing.T) map[string][]string {
	t.Helper()
	doc, err := os.ReadFile("../../docs/architecture.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| (`[^|]+) \\|[^|]+\\| ([^|]+) \\|$")
	name := regexp.MustCompile("`([a-z/]+)`")
	out := map[string][]string{}
	for _, m := range row.FindAllStringSubmatch(string(doc), -1) {
		var may []string
		for _, n := range name.FindAllStringSubmatch(m[2], -1) {
			may = append(may, n[1])
		}
		for _, pkg := range name.FindAllStringSubmatch(m[1], -1) {
			out[pkg[1]] = may
		}
	}
	if len(out) < 10 {
		t.Fatalf("only %d packages in the table of docs/architecture.md", len(out))
	}
	return out
}

// imports returns, for each package folder of the module, the packages of
// ours its non-test files import.
func imports(t *testing.T) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	root := "../.."
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") && path != root) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		pkg := filepath.ToSlash(rel)
		if _, ok := out[pkg]; !ok {
			out[pkg] = nil
		}
		for _, imp := range f.Imports {
			p := strings.Trim(imp.Path.Value, `"`)
			if ours, ok := strings.CutPrefix(p, module+"/"); ok && !slices.Contains(out[pkg], ours) {
				out[pkg] = append(out[pkg], ours)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestImportsFollowTheDocument: every package has a row in the table of
// docs/architecture.md, imports only what its row allows, and every row is
// a package.
func TestImportsFollowTheDocument(t *testing.T) {
	may := allowed(t)
	code := imports(t)
	for pkg, uses := range code {
		allowed, ok := may[pkg]
		if !ok {
			t.Errorf("%s has no row in docs/architecture.md", pkg)
			continue
		}
		for _, u := range uses {
			if !slices.Contains(allowed, u) {
				t.Errorf("%s imports %s, which docs/architecture.md does not allow it", pkg, u)
			}
		}
	}
	for pkg := range may {
		if _, ok := code[pkg]; !ok && pkg != "internal/architecture" {
			t.Errorf("docs/architecture.md has a row for %s, which is no package", pkg)
		}
	}
}

// TestBinaryLinksNoTestCode: the binary links no testing package, no
// browser driver and none of our test-only packages.
func TestBinaryLinksNoTestCode(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "../../cmd/mailbag").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 50 {
		t.Fatalf("go list -deps named only %d packages", len(deps))
	}
	for _, d := range deps {
		if d == "testing" || strings.HasPrefix(d, "testing/") || strings.Contains(d, "chromedp") ||
			slices.Contains([]string{module + "/internal/peers", module + "/internal/golden", module + "/internal/benchcorpus"}, d) {
			t.Errorf("the binary links %s", d)
		}
	}
}
