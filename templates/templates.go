// Package templates holds mailbag's built-in templates, embedded in the
// binary, and parses them once, with a newsletter home's overrides, into a
// Set:
//
//   - draft.md, the Markdown of a new draft (text/template);
//   - mail.txt and mail.html, the list mail's two parts;
//   - confirm.txt, ack.txt, notify.txt, the short mails to one person;
//   - site/, the archive site: layout.html around each page, list.html
//     (the shared "list" and "pager" blocks), style.css.
//
// The site's fixed words are messages, one file a language in messages/
// (messages.go), which the pages call as t, n, date and number; a home
// overrides them, or adds a language, in templates/messages/.
//
// A home overrides any of them with a file of the same name in its
// templates/ folder. Every template is parsed when the Set is loaded, so a
// broken override is found when a command starts, named by file and line;
// Check runs a template on sample data to find unknown fields as early.
//
// It imports nothing of mailbag's: the packages that execute templates own
// the data they pass.
package templates

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	texttemplate "text/template"
)

//go:embed draft.md mail.html mail.txt confirm.txt notify.txt ack.txt site
var builtin embed.FS

// The site's shared parts: every page is parsed with these.
const (
	layoutName = "site/layout.html"
	listName   = "site/list.html"
)

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

// Options says where the overrides are and which functions the templates
// may call.
type Options struct {
	// Overrides is a home's templates/ folder; "" for none. A file there
	// replaces the built-in template of the same name.
	Overrides string
	// Funcs are the functions text templates may call (draft.md's "yaml"
	// and "quote"); they must be known when the templates are parsed.
	Funcs texttemplate.FuncMap
	// Language is the newsletter's language, a BCP 47 tag ("" means
	// English): the site's fixed words are its messages (LoadMessages),
	// which its pages call as t, n, date and number, and lang is it.
	Language string
}

// Set is every template, parsed once: built-in ones and a home's
// overrides. It is safe for concurrent use.
type Set struct {
	text  map[string]*texttemplate.Template
	html  map[string]*htmltemplate.Template
	files map[string][]byte // site/style.css, as it is
	shown map[string]string // name -> the file errors name
	words *Messages
}

// Load reads and parses every template (see Options). The error names each
// file that does not parse, with its line.
func Load(o Options) (*Set, error) {
	s := &Set{text: map[string]*texttemplate.Template{}, html: map[string]*htmltemplate.Template{},
		files: map[string][]byte{}, shown: map[string]string{}}
	lang := o.Language
	if lang == "" {
		lang = "en"
	}
	words, err := LoadMessages(lang, o.Overrides)
	if err != nil {
		return nil, err
	}
	s.words = words
	src := map[string][]byte{}
	for _, name := range Names() {
		b, shown, err := source(o.Overrides, name)
		if err != nil {
			return nil, err
		}
		src[name], s.shown[name] = b, shown
	}
	var errs []error
	for _, name := range Names() {
		var err error
		switch {
		case name == layoutName || name == listName:
			// parsed with each page
		case strings.HasSuffix(name, ".css"):
			s.files[name] = src[name]
		case strings.HasPrefix(name, "site/"):
			s.html[name], err = s.page(src, name)
		case strings.HasSuffix(name, ".html"):
			s.html[name], err = htmltemplate.New(s.shown[name]).Funcs(s.funcs(nil)).Option("missingkey=error").Parse(string(src[name]))
		default:
			s.text[name], err = texttemplate.New(s.shown[name]).Funcs(s.funcs(o.Funcs)).Option("missingkey=error").Parse(string(src[name]))
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("templates: %w", err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return s, nil
}

// funcs returns the functions of the fixed words (t, n, date, number,
// lang) with more.
func (s *Set) funcs(more map[string]any) map[string]any {
	out := s.words.Funcs()
	out["lang"] = func() string { return s.words.Language }
	for k, v := range more {
		out[k] = v
	}
	return out
}

// page parses a site page inside the layout, with the shared list blocks;
// each part keeps its own file name, so that errors name the right file.
func (s *Set) page(src map[string][]byte, name string) (*htmltemplate.Template, error) {
	t, err := htmltemplate.New(s.shown[layoutName]).Funcs(s.funcs(nil)).Option("missingkey=error").Parse(string(src[layoutName]))
	if err != nil {
		return nil, err
	}
	for _, part := range []string{listName, name} {
		if _, err := t.New(s.shown[part]).Parse(string(src[part])); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// source returns the text of template name, from overrides if it has the
// file, else built in, and the name errors should give it.
func source(overrides, name string) ([]byte, string, error) {
	if overrides != "" {
		path := filepath.Join(overrides, filepath.FromSlash(name))
		b, err := os.ReadFile(path)
		if err == nil {
			return b, path, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, "", fmt.Errorf("templates: %w", err)
		}
	}
	b, err := builtin.ReadFile(name)
	if err != nil {
		return nil, "", fmt.Errorf("templates: no template %s: %w", name, err)
	}
	return b, name, nil
}

// Messages returns the fixed words of the newsletter's language.
func (s *Set) Messages() *Messages { return s.words }

// Text returns the text template name ("draft.md", "mail.txt"); it panics
// on a name that is not one, a mistake in the code.
func (s *Set) Text(name string) *texttemplate.Template {
	t, ok := s.text[name]
	if !ok {
		panic("templates: no text template " + name)
	}
	return t
}

// HTML returns the HTML template name ("mail.html", "site/post.html"); a
// site page comes parsed inside the layout. It panics on a name that is not
// one, a mistake in the code.
func (s *Set) HTML(name string) *htmltemplate.Template {
	t, ok := s.html[name]
	if !ok {
		panic("templates: no HTML template " + name)
	}
	return t
}

// File returns a file served as it is ("site/style.css"); it panics on a
// name that is not one.
func (s *Set) File(name string) []byte {
	b, ok := s.files[name]
	if !ok {
		panic("templates: no file " + name)
	}
	return b
}

// Check executes template name with each of samples, writing nothing: an
// override that names a field the data does not have fails here, naming
// its file and line, instead of on the first real use. Pass both a filled
// and an empty sample, so that both sides of an {{if}} run.
func (s *Set) Check(name string, samples ...any) error {
	for _, data := range samples {
		var err error
		if t, ok := s.text[name]; ok {
			err = t.Execute(io.Discard, data)
		} else {
			err = s.HTML(name).Execute(&bytes.Buffer{}, data)
		}
		if err != nil {
			return fmt.Errorf("templates: %s: %w", s.shown[name], err)
		}
	}
	return nil
}
