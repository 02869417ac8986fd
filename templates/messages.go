package templates

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// The fixed words of the site, in each language: one file a language in
// messages/ (en.toml is the reference: every other has each of its keys),
// which a home's templates/messages/LANG.toml overrides key by key, or
// adds as a new language. A message is a string, or for a count a table
// of CLDR's plural forms (one, few, many, other: Russian and Polish have
// them all), where {n} is the count as the language writes numbers. {1},
// {2} … stand for a message's other arguments. months lists the names of
// the months as a date has them (Polish and Russian in the genitive), and
// date how a date is written: {day}, {month}, {monthnum}, {year}.

//go:embed messages
var builtinMessages embed.FS

// Messages are the fixed words of one language, English's where it has
// none of its own. It is safe for concurrent use.
type Messages struct {
	tag      language.Tag
	text     map[string]any // key -> string, or map[string]any of plural forms
	english  map[string]any
	printer  *message.Printer
	months   []string
	date     string
	Language string // the BCP 47 tag asked for, as written in <html lang>
}

// LoadMessages returns the messages of lang (a BCP 47 tag): the built-in
// file of its primary language ("pt" for "pt-BR"), a file of the whole
// tag's name if there is one, then the home's overrides (a templates/
// folder, "" for none), each key over the last. The error names a file
// that does not parse, or a language with no file at all.
func LoadMessages(lang, overrides string) (*Messages, error) {
	tag, err := language.Parse(lang)
	if err != nil {
		return nil, fmt.Errorf("templates: language %q: %w", lang, err)
	}
	english, err := readMessages(builtinMessages, "messages/en.toml")
	if err != nil {
		return nil, err
	}
	m := &Messages{tag: tag, english: english, text: map[string]any{}, printer: message.NewPrinter(tag), Language: lang}
	base, _ := tag.Base()
	found := base.String() == "en"
	names := slices.Compact([]string{base.String(), strings.ToLower(tag.String())})
	for _, name := range names {
		file := "messages/" + name + ".toml"
		if _, err := fs.Stat(builtinMessages, file); err == nil {
			own, err := readMessages(builtinMessages, file)
			if err != nil {
				return nil, err
			}
			mergeMessages(m.text, own)
			found = true
		}
	}
	if overrides != "" {
		for _, name := range names {
			path := filepath.Join(overrides, "messages", name+".toml")
			own, err := readMessages(os.DirFS(filepath.Dir(path)), filepath.Base(path))
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("%w (%s)", err, path)
			}
			mergeMessages(m.text, own)
			found = true
		}
	}
	if !found {
		return nil, fmt.Errorf("templates: no messages in %q: write them in templates/messages/%s.toml of the home, with the keys of the English file (mailbag has %s)", lang, base, strings.Join(BuiltinLanguages(), ", "))
	}
	m.months = m.list("months")
	m.date = m.T("date")
	return m, nil
}

// BuiltinLanguages returns the languages whose messages mailbag has.
func BuiltinLanguages() []string {
	entries, _ := fs.ReadDir(builtinMessages, "messages")
	var out []string
	for _, e := range entries {
		out = append(out, strings.TrimSuffix(e.Name(), ".toml"))
	}
	return out
}

// readMessages reads one messages file.
func readMessages(fsys fs.FS, name string) (map[string]any, error) {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	if _, err := toml.Decode(string(b), &out); err != nil {
		return nil, fmt.Errorf("templates: %s: %w", name, err)
	}
	return out, nil
}

// mergeMessages puts each message of from into into.
func mergeMessages(into, from map[string]any) {
	for k, v := range from {
		into[k] = v
	}
}

// lookup returns the message key, in the language or else in English.
func (m *Messages) lookup(key string) (any, bool) {
	if v, ok := m.text[key]; ok {
		return v, true
	}
	v, ok := m.english[key]
	return v, ok
}

// placeholder matches {1}, {2}, … in a message.
var placeholder = regexp.MustCompile(`\{([0-9]+)\}`)

// T returns message key with args in place of {1}, {2}, …; the key
// itself, in brackets, for a key no file has (a mistake in the code,
// which TestCodeNamesKnownMessages finds; in a template, its t fails).
func (m *Messages) T(key string, args ...any) string {
	v, ok := m.lookup(key)
	s, isString := v.(string)
	if !ok || !isString {
		return "[" + key + "]"
	}
	return m.fill(s, args)
}

// N returns the form of message key for count n (its plural category in
// the language), with {n} the count written as the language writes
// numbers, and args in place of {1}, {2}, ….
func (m *Messages) N(key string, n int, args ...any) string {
	v, ok := m.lookup(key)
	forms, isTable := v.(map[string]any)
	if !ok || !isTable {
		return "[" + key + "]"
	}
	form := "other"
	switch plural.Cardinal.MatchPlural(m.tag, n, 0, 0, 0, 0) {
	case plural.Zero:
		form = "zero"
	case plural.One:
		form = "one"
	case plural.Two:
		form = "two"
	case plural.Few:
		form = "few"
	case plural.Many:
		form = "many"
	}
	s, isString := forms[form].(string)
	if !isString {
		s, _ = forms["other"].(string)
	}
	// The count first: an argument (a reader's search) may hold "{n}".
	return m.fill(strings.ReplaceAll(s, "{n}", m.printer.Sprint(n)), args)
}

// Number returns n as the language writes numbers ("1,234", "1 234").
func (m *Messages) Number(n int) string { return m.printer.Sprint(n) }

// fill puts args in place of {1}, {2}, … in s.
func (m *Messages) fill(s string, args []any) string {
	if len(args) == 0 {
		return s
	}
	return placeholder.ReplaceAllStringFunc(s, func(p string) string {
		i, _ := strconv.Atoi(p[1 : len(p)-1])
		if i < 1 || i > len(args) {
			return p
		}
		return fmt.Sprint(args[i-1])
	})
}

// list returns the list message key.
func (m *Messages) list(key string) []string {
	v, _ := m.lookup(key)
	items, _ := v.([]any)
	out := make([]string, len(items))
	for i, it := range items {
		out[i], _ = it.(string)
	}
	return out
}

// Date returns t as the language writes a date ("2 January 2006",
// "2. Januar 2006", "2006年1月2日").
func (m *Messages) Date(t time.Time) string {
	month := t.Month().String()
	if i := int(t.Month()) - 1; i < len(m.months) {
		month = m.months[i]
	}
	return strings.NewReplacer("{day}", strconv.Itoa(t.Day()), "{month}", month,
		"{monthnum}", strconv.Itoa(int(t.Month())), "{year}", strconv.Itoa(t.Year())).Replace(m.date)
}

// Keys returns the keys of the language's own file(s) and of English.
func (m *Messages) Keys() (own, english []string) {
	for k := range m.text {
		own = append(own, k)
	}
	for k := range m.english {
		english = append(english, k)
	}
	slices.Sort(own)
	slices.Sort(english)
	return own, english
}

// Funcs returns the functions templates call for the fixed words: t, n,
// date and number. A key no messages file has fails the template, so that
// an override naming one is refused when the templates are checked, at
// start.
func (m *Messages) Funcs() map[string]any {
	known := func(key string) error {
		if _, ok := m.lookup(key); !ok {
			return fmt.Errorf("no message %q in templates/messages/en.toml", key)
		}
		return nil
	}
	t := func(key string, args ...any) (string, error) { return m.T(key, args...), known(key) }
	n := func(key string, count int, args ...any) (string, error) { return m.N(key, count, args...), known(key) }
	return map[string]any{"t": t, "n": n, "date": m.Date, "number": m.Number}
}
