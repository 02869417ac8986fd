package archive

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Post is one answer: YAML front matter (title, date and optional fields)
// followed by a Markdown body.
//
// The zero Post is an empty new post. A Post read with Parse keeps its front
// matter as it was written, so Marshal writes back unknown fields, key order
// and quoting unchanged and touches only the known fields that changed.
type Post struct {
	// Title is the front matter `title`; required.
	Title string
	// Date is the front matter `date`, in the newsletter's time zone; the
	// zero time means the front matter has none. Required for a post.
	Date time.Time
	// Slug names the post in URLs and file names: the front matter `slug`,
	// else the part of the file name after the date.
	Slug string
	// Tags is the front matter `tags`; nil when there are none.
	Tags []string
	// Questions are the IDs of the reader questions the post answers, from
	// the front matter `question` (one ID or a list); nil when none.
	Questions []int64
	// Aliases are the post's old addresses on the site it was imported
	// from, paths the site redirects to its page: the front matter
	// `aliases` (Hugo's list), `permalink` (Jekyll's) and `url` (Hugo's),
	// each a clean path ("/2018/06/20/toe.html"); others are left out.
	Aliases []string
	// Body is the Markdown after the front matter, byte for byte.
	Body []byte
	// Path is the file the post was read from; empty for a new post.
	Path string

	file fileInfo     // the file at Path as it was when read; zero for a new post
	src  *frontMatter // nil for a new post, and for one listed without it (Posts.Headers)
}

// fileInfo identifies the version of a file a post was read from.
type fileInfo struct {
	size    int64
	modTime int64 // Unix nanoseconds
}

// frontMatter is a post's front matter as read, for Marshal to write back.
// It is apart from Post so that a list of 100,000 posts without it
// (Posts.Headers) takes less memory.
type frontMatter struct {
	doc  *yaml.Node // the front matter document
	head []byte     // the file up to the body, --- lines included
	crlf bool       // the front matter lines ended in CRLF
}

// fileName returns the base name of the file the post was read from; "" for a
// new post.
func (p *Post) fileName() string {
	if p.file == (fileInfo{}) {
		return ""
	}
	return filepath.Base(p.Path)
}

// DateLayout is how post dates are written in front matter: the seed's
// format, in the newsletter's time zone.
const DateLayout = "2006-01-02 15:04:05"

// FormatError reports a post file that does not follow the post format.
type FormatError struct {
	Line   int    // 1-based line in the file; 0 when the problem has no line
	Reason string // what is wrong, as a phrase: "no title"
}

func (e *FormatError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Reason)
	}
	return e.Reason
}

var utf8BOM = []byte("\xef\xbb\xbf")

// Parse reads a post from the bytes of its file. Dates without a zone are
// read in loc (UTC when nil); dates with one are converted to loc.
//
// Parse checks the format, not completeness: a post without a title or date
// parses, and Check reports what is missing. Errors are *FormatError.
func Parse(data []byte, loc *time.Location) (*Post, error) {
	if loc == nil {
		loc = time.UTC
	}
	data = bytes.TrimPrefix(data, utf8BOM)
	front, body, crlf, err := splitFrontMatter(data)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(front, &doc); err != nil {
		return nil, yamlError(err)
	}
	p := &Post{Body: body, src: &frontMatter{doc: &doc, head: data[:len(data)-len(body)], crlf: crlf}}
	if doc.Kind == 0 { // empty front matter
		doc = yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode, Tag: "!!map"}}}
	}
	m := doc.Content[0]
	if m.Kind != yaml.MappingNode {
		return nil, &FormatError{Line: m.Line + 1, Reason: "front matter is not a list of `key: value` lines"}
	}
	seen := make(map[string]bool, len(m.Content)/2)
	for i := 0; i+1 < len(m.Content); i += 2 {
		k := m.Content[i]
		if seen[k.Value] {
			return nil, &FormatError{Line: k.Line + 1, Reason: fmt.Sprintf("%q is set twice in the front matter", k.Value)}
		}
		seen[k.Value] = true
		if err := p.readField(k.Value, m.Content[i+1], loc); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// splitFrontMatter cuts a file into its front matter (without the ---
// lines) and its body. The file must start with a --- line.
func splitFrontMatter(data []byte) (front, body []byte, crlf bool, err error) {
	first, rest, ok := bytes.Cut(data, []byte("\n"))
	if !ok || string(bytes.TrimRight(first, " \t\r")) != "---" {
		return nil, nil, false, &FormatError{Line: 1, Reason: "no front matter (the file must start with a --- line)"}
	}
	crlf = bytes.HasSuffix(first, []byte("\r"))
	off := 0
	for off < len(rest) {
		line, _, _ := bytes.Cut(rest[off:], []byte("\n"))
		next := off + len(line) + 1
		if string(bytes.TrimRight(line, " \t\r")) == "---" {
			return rest[:off], rest[min(next, len(rest)):], crlf, nil
		}
		off = next
	}
	return nil, nil, false, &FormatError{Line: 1, Reason: "unterminated front matter (no closing --- line)"}
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

// yamlError turns a YAML error into a FormatError with the line in the file.
func yamlError(err error) error {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		return &FormatError{Line: n + 1, Reason: "front matter is not valid YAML: " + msg[len(m[0]):]}
	}
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	return &FormatError{Reason: "front matter is not valid YAML: " + msg}
}

// readField sets the known field key from its YAML value; other keys are
// left in the document untouched.
func (p *Post) readField(key string, v *yaml.Node, loc *time.Location) error {
	bad := func(format string, args ...any) error {
		return &FormatError{Line: v.Line + 1, Reason: fmt.Sprintf(format, args...)}
	}
	switch key {
	case "title":
		if v.Kind != yaml.ScalarNode {
			return bad("title is not a single line of text")
		}
		p.Title = scalarText(v)
	case "date":
		if v.Kind != yaml.ScalarNode {
			return bad("date is not a single value")
		}
		if s := scalarText(v); s != "" {
			t, err := ParseDate(s, loc)
			if err != nil {
				return bad("%v", err)
			}
			p.Date = t
		}
	case "slug":
		if v.Kind != yaml.ScalarNode {
			return bad("slug is not a single value")
		}
		if s := scalarText(v); s != "" {
			if !validSlug(s) {
				return bad("slug %q is not lower-case letters, digits and dashes (try %q)", s, Slugify(s))
			}
			p.Slug = s
		}
	case "tags":
		tags, err := stringList(v)
		if err != nil {
			return bad("tags: %v", err)
		}
		p.Tags = tags
	case "question":
		ids, err := idList(v)
		if err != nil {
			return bad("question: %v", err)
		}
		p.Questions = ids
	case "aliases", "permalink", "url":
		var paths []string
		if v.Kind == yaml.ScalarNode {
			paths = []string{scalarText(v)}
		} else if list, err := stringList(v); err == nil {
			paths = list
		}
		for _, a := range paths {
			if path, ok := AliasPath(a); ok && !slices.Contains(p.Aliases, path) {
				p.Aliases = append(p.Aliases, path)
			}
		}
	}
	return nil
}

// ShortLinkID returns the ID of a WordPress short link, "/?p=ID" (an
// alias the site answers at its home page's address with that query).
func ShortLinkID(a string) (string, bool) {
	id, ok := strings.CutPrefix(a, "/?p=")
	if !ok || id == "" || len(id) > 19 || strings.Trim(id, "0123456789") != "" {
		return "", false
	}
	return id, true
}

// maxAlias bounds the length of an alias path.
const maxAlias = 500

// AliasPath makes an old address a clean path on the site: a leading
// slash, no query, fragment, scheme or host, no . or .. segments, no
// Jekyll placeholders (":title"), no characters that need escaping in a
// file name; or WordPress's short link to a post, "/?p=ID". ok is false
// for anything else.
func AliasPath(a string) (path string, ok bool) {
	a = strings.TrimSpace(a)
	if _, ok := ShortLinkID(a); ok {
		return a, true
	}
	if a == "" || len(a) > maxAlias || strings.ContainsAny(a, "?#:\\ \t\"'<>%") {
		return "", false
	}
	if !strings.HasPrefix(a, "/") {
		a = "/" + a // Hugo's aliases may be relative to the site's root
	}
	if a == "/" || strings.Contains(a, "//") {
		return "", false
	}
	for _, seg := range strings.Split(a[1:], "/") {
		if seg == "." || seg == ".." {
			return "", false
		}
	}
	for _, r := range a {
		if r < 0x20 || r == 0x7f {
			return "", false
		}
	}
	return a, true
}

// scalarText returns the text of a scalar, with YAML's null read as "".
func scalarText(v *yaml.Node) string {
	if v.Tag == "!!null" {
		return ""
	}
	return v.Value
}

// stringList reads a YAML list of strings; a single string is split on
// spaces, as Jekyll does.
func stringList(v *yaml.Node) ([]string, error) {
	switch v.Kind {
	case yaml.ScalarNode:
		return splitFields(scalarText(v)), nil
	case yaml.SequenceNode:
		var out []string
		for _, c := range v.Content {
			if c.Kind != yaml.ScalarNode {
				return nil, errors.New("not a list of words")
			}
			if s := scalarText(c); s != "" {
				out = append(out, s)
			}
		}
		return out, nil
	}
	return nil, errors.New("not a list of words")
}

func splitFields(s string) []string {
	var out []string
	for f := range bytes.FieldsSeq([]byte(s)) {
		out = append(out, string(f))
	}
	return out
}

// idList reads one question ID or a list of them.
func idList(v *yaml.Node) ([]int64, error) {
	nodes := []*yaml.Node{v}
	if v.Kind == yaml.SequenceNode {
		nodes = v.Content
	}
	var ids []int64
	for _, n := range nodes {
		if n.Kind != yaml.ScalarNode {
			return nil, errors.New("not a question ID or a list of them")
		}
		if scalarText(n) == "" {
			continue
		}
		id, err := strconv.ParseInt(n.Value, 10, 64)
		if err != nil || id <= 0 {
			return nil, fmt.Errorf("%q is not a question ID", n.Value)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// Check reports what a post needs and lacks (a title, a date, a slug), all
// problems at once, as *FormatError values joined with errors.Join; nil when
// the post is complete.
func (p *Post) Check() error {
	var errs []error
	if err := CheckTitle(p.Title); err != nil {
		errs = append(errs, err)
	}
	if p.Date.IsZero() {
		errs = append(errs, &FormatError{Reason: "no date"})
	}
	if p.Slug == "" {
		errs = append(errs, &FormatError{Reason: "no slug"})
	}
	return errors.Join(errs...)
}

// maxTitle is the longest title, in characters: it becomes the subject of
// the list mail, whose header lines must stay within 998 octets (RFC 5322,
// 2.1.1), and a page's <title>.
const maxTitle = 200

// CheckTitle reports what is wrong with a title: none, or over 200
// characters. The error is a *FormatError.
func CheckTitle(title string) error {
	if strings.TrimSpace(title) == "" {
		return &FormatError{Reason: "no title"}
	}
	if n := utf8.RuneCountInString(title); n > maxTitle {
		return &FormatError{Reason: fmt.Sprintf("the title is %d characters long: at most %d (it is the subject of the mail)", n, maxTitle)}
	}
	return nil
}

// URLPath returns the path of the post's page on the site, /YYYY/MM/DD/slug/:
// the one place a post's address is made. The site, the feed, the sitemap
// and the mail put the site's base URL before it.
func (p *Post) URLPath() string {
	return p.Date.Format("/2006/01/02/") + p.Slug + "/"
}

// FileName returns the post's file name in posts/: YYYY-MM-DD-slug.md.
func (p *Post) FileName() string {
	return p.Date.Format("2006-01-02") + "-" + p.Slug + ".md"
}

// Marshal returns the post's file: front matter between --- lines, then the
// body. Known fields are written from the Post; unknown fields are kept. The
// date is written in DateLayout, single-quoted, as the seed post does. When
// no known field needs rewriting, the front matter is written back exactly
// as it was read, comments and all.
func (p *Post) Marshal() ([]byte, error) {
	fresh := p.src == nil
	if fresh {
		p.src = &frontMatter{doc: &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode, Tag: "!!map"}}}}
	}
	m := p.src.doc.Content[0]
	changed := p.setFields(m)
	if fresh && len(p.Aliases) > 0 { // a new post's old addresses (an import's); a read post keeps the keys it had
		m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "aliases"}, stringsNode(p.Aliases))
	}
	if !changed && p.src.head != nil {
		return append(slices.Clip(p.src.head), p.Body...), nil
	}
	out, err := encodeFrontMatter(p.src.doc, p.src.crlf)
	if err != nil {
		return nil, err
	}
	p.src.head = slices.Clone(out)
	return append(out, p.Body...), nil
}

// setFields writes the post's fields into the front matter mapping m,
// keeping each node whose value is unchanged as it was (its quoting and
// comments), and reports whether any changed.
func (p *Post) setFields(m *yaml.Node) (changed bool) {
	set := func(key string, present bool, value func(old *yaml.Node) *yaml.Node) {
		changed = setField(m, key, present, value) || changed
	}
	set("title", p.Title != "", func(old *yaml.Node) *yaml.Node {
		if old != nil && scalarText(old) == p.Title {
			return old
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: p.Title}
	})
	set("date", !p.Date.IsZero(), func(old *yaml.Node) *yaml.Node {
		s := p.Date.Format(DateLayout)
		if old != nil && old.Value == s && old.Style == yaml.SingleQuotedStyle {
			return old
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Style: yaml.SingleQuotedStyle, Value: s}
	})
	if i := fieldIndex(m, "slug"); i >= 0 && p.Slug != "" {
		// The slug is in the file name; it is written only where the
		// front matter already had it.
		if scalarText(m.Content[i+1]) != p.Slug {
			m.Content[i+1] = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: p.Slug}
			changed = true
		}
	}
	set("tags", len(p.Tags) > 0, func(old *yaml.Node) *yaml.Node {
		if old != nil {
			if tags, err := stringList(old); err == nil && slices.Equal(tags, p.Tags) {
				return old
			}
		}
		return stringsNode(p.Tags)
	})
	set("question", len(p.Questions) > 0, func(old *yaml.Node) *yaml.Node {
		if old != nil {
			if ids, err := idList(old); err == nil && slices.Equal(ids, p.Questions) {
				return old
			}
		}
		return idsNode(p.Questions)
	})
	return changed
}

// encodeFrontMatter writes doc between "---" lines, with CRLF line ends
// when crlf.
func encodeFrontMatter(doc *yaml.Node, crlf bool) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("---\n")
	if len(doc.Content[0].Content) > 0 {
		enc := yaml.NewEncoder(&buf)
		enc.SetIndent(2)
		enc.CompactSeqIndent()
		if err := enc.Encode(doc); err != nil {
			return nil, fmt.Errorf("archive: write front matter: %w", err)
		}
		if err := enc.Close(); err != nil {
			return nil, fmt.Errorf("archive: write front matter: %w", err)
		}
	}
	buf.WriteString("---\n")
	out := buf.Bytes()
	if crlf {
		out = bytes.ReplaceAll(out, []byte("\n"), []byte("\r\n"))
	}
	return out, nil
}

// setField sets, adds or (when !present) removes key in the mapping m; value
// is given the old node, nil when the key is new, and returns the new one,
// or the old one unchanged. It reports whether m changed.
func setField(m *yaml.Node, key string, present bool, value func(old *yaml.Node) *yaml.Node) bool {
	i := fieldIndex(m, key)
	switch {
	case !present && i >= 0:
		m.Content = slices.Delete(m.Content, i, i+2)
		return true
	case present && i >= 0:
		old := m.Content[i+1]
		m.Content[i+1] = value(old)
		return m.Content[i+1] != old
	case present:
		k := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}
		m.Content = append(m.Content, k, value(nil))
		return true
	}
	return false
}

func fieldIndex(m *yaml.Node, key string) int {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return i
		}
	}
	return -1
}

func stringsNode(ss []string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	for _, s := range ss {
		n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s})
	}
	return n
}

// idsNode returns one ID as a number, several as a flow list: [12, 15].
func idsNode(ids []int64) *yaml.Node {
	if len(ids) == 1 {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatInt(ids[0], 10)}
	}
	n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle}
	for _, id := range ids {
		n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatInt(id, 10)})
	}
	return n
}

// FrontList returns a front matter field read as a list of words (a list, or
// a string split on spaces, as Jekyll reads categories); nil when absent.
func (p *Post) FrontList(key string) []string {
	if p.src == nil || len(p.src.doc.Content) == 0 {
		return nil
	}
	m := p.src.doc.Content[0]
	if i := fieldIndex(m, key); i >= 0 {
		list, _ := stringList(m.Content[i+1])
		return list
	}
	return nil
}

// FrontValue returns the text of a scalar front matter field not otherwise
// known, "" when absent.
func (p *Post) FrontValue(key string) string {
	if p.src == nil || len(p.src.doc.Content) == 0 {
		return ""
	}
	m := p.src.doc.Content[0]
	if i := fieldIndex(m, key); i >= 0 {
		return scalarText(m.Content[i+1])
	}
	return ""
}

// Written records that p was written to path, as Posts.Write does: its
// Path, and the file's size and time, by which the index knows the
// version it holds. The front matter as read is dropped: p cannot be
// marshalled again.
func (p *Post) Written(path string) {
	p.Path = path
	if fi, err := os.Stat(path); err == nil {
		p.file = fileInfo{size: fi.Size(), modTime: fi.ModTime().UnixNano()}
	}
	p.src = nil
}

// FileVersion says which version of its file p was read from: the file's
// base name, size and modification time (Unix nanoseconds); name is ""
// for a new post.
func (p *Post) FileVersion() (name string, size, modTime int64) {
	return p.fileName(), p.file.size, p.file.modTime
}

// BodyOf returns the Markdown body of a post file's data: what follows
// its front matter.
func BodyOf(data []byte) ([]byte, error) {
	_, body, _, err := splitFrontMatter(bytes.TrimPrefix(data, utf8BOM))
	return body, err
}
