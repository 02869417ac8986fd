// Package templates holds mailbag's built-in templates, embedded in the
// binary: the Markdown of a new draft (draft.md), the list mail (mail.html,
// mail.txt), and the archive site's pages and style (site/). A newsletter home overrides any of them with a file of the same name
// in its templates/ folder.
//
// It imports nothing of mailbag's.
package templates

import (
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"os"
	"path/filepath"
	"text/template"
)

//go:embed draft.md mail.html mail.txt confirm.txt notify.txt ack.txt site
var builtin embed.FS

// Names lists the built-in templates ("draft.md", "site/post.html").
func Names() []string {
	var names []string
	_ = fs.WalkDir(builtin, ".", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, path)
		}
		return err
	})
	return names
}

// Source returns the text of template name: the file of that name in
// overrides (a home's templates/ folder; "" for none) if there is one, else
// the built-in one.
func Source(overrides, name string) ([]byte, error) {
	if overrides != "" {
		b, err := os.ReadFile(filepath.Join(overrides, name))
		if err == nil {
			return b, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("templates: %w", err)
		}
	}
	b, err := builtin.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("templates: no template %s: %w", name, err)
	}
	return b, nil
}

// Text parses the text/template name (see Source) with funcs. Errors name
// the file and line.
func Text(overrides, name string, funcs template.FuncMap) (*template.Template, error) {
	src, err := Source(overrides, name)
	if err != nil {
		return nil, err
	}
	t, err := template.New(name).Funcs(funcs).Option("missingkey=error").Parse(string(src))
	if err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	return t, nil
}

// HTML parses the html/template name (see Source) with funcs.
func HTML(overrides, name string, funcs htmltemplate.FuncMap) (*htmltemplate.Template, error) {
	src, err := Source(overrides, name)
	if err != nil {
		return nil, err
	}
	t, err := htmltemplate.New(name).Funcs(funcs).Option("missingkey=error").Parse(string(src))
	if err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	return t, nil
}
