package templates

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	texttemplate "text/template"
)

// TestEveryTemplateIsUsed fails when a built-in template is named nowhere in
// the code outside this package.
func TestEveryTemplateIsUsed(t *testing.T) {
	var code strings.Builder
	err := filepath.WalkDir("..", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != ".." {
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

// draftFuncs stand for the functions publish gives draft.md.
var draftFuncs = texttemplate.FuncMap{"yaml": fmt.Sprint, "quote": fmt.Sprint}

func TestLoadOverride(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ack.txt"), []byte("mine {{.Subject}}"), 0o644); err != nil {
		t.Fatal(err)
	}
	set, err := Load(Options{Overrides: dir, Funcs: draftFuncs})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := set.Text("ack.txt").Execute(&b, map[string]string{"Subject": "s"}); err != nil || b.String() != "mine s" {
		t.Errorf("the override gives %q, %v", b.String(), err)
	}
	b.Reset()
	if err := set.Text("notify.txt").Execute(&b, map[string]string{"Newsletter": "N", "Subject": "S", "PostURL": "U"}); err != nil || !strings.Contains(b.String(), "It is answered here") {
		t.Errorf("a template not overridden gives %q, %v", b.String(), err)
	}
}

// TestLoadNamesTheBrokenFile: a syntax error in any override, site page or
// mail, is an error of Load naming the file and line.
func TestLoadNamesTheBrokenFile(t *testing.T) {
	for _, name := range []string{"ack.txt", "mail.html", "site/post.html", "site/layout.html"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte("line one\n{{if .X}}\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Load(Options{Overrides: dir, Funcs: draftFuncs})
			if err == nil || !strings.Contains(err.Error(), path+":") {
				t.Errorf("Load = %v; want an error naming %s and its line", err, path)
			}
		})
	}
}

// TestCheckFindsUnknownFields: an override naming a field the data does
// not have fails Check, named by file and line, in either branch of an if.
func TestCheckFindsUnknownFields(t *testing.T) {
	type data struct{ Subject string }
	dir := t.TempDir()
	path := filepath.Join(dir, "ack.txt")
	if err := os.WriteFile(path, []byte("Hi\n{{if .Subject}}{{.Subjet}}{{else}}none{{end}}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	set, err := Load(Options{Overrides: dir, Funcs: draftFuncs})
	if err != nil {
		t.Fatal(err)
	}
	err = set.Check("ack.txt", data{Subject: "s"}, data{})
	if err == nil || !strings.Contains(err.Error(), path+":2") || !strings.Contains(err.Error(), "Subjet") {
		t.Errorf("Check = %v; want an error naming %s:2 and Subjet", err, path)
	}
	if err := set.Check("notify.txt", struct{ Newsletter, Subject, PostURL string }{}); err != nil {
		t.Errorf("Check of the built-in notify.txt = %v", err)
	}
}
