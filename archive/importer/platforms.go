package importer

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"

	htmltomarkdown "github.com/JohannesKaufmann/html-to-markdown/v2/converter"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/base"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/commonmark"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/strikethrough"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/table"

	nethtml "golang.org/x/net/html"

	"mailbag/archive"
)

// The platforms Import reads, as --from names them.
const (
	Jekyll     = "jekyll"
	Hugo       = "hugo"
	Substack   = "substack"
	Ghost      = "ghost"
	WordPress  = "wordpress"
	Buttondown = "buttondown"
)

// Platforms lists the names Options.From takes.
var Platforms = []string{Substack, Ghost, WordPress, Buttondown, Jekyll, Hugo}

// entry is one item of another platform's export, read: a post to
// convert, or something that is not one (skip says why).
type entry struct {
	source   string // where it is in the export: "posts/123.slug.html"
	title    string
	date     time.Time
	slug     string
	tags     []string
	html     string // the body as HTML, or
	markdown string // as Markdown
	aliases  []string
	skip     string // why it is not imported: "a draft on Substack"
	notes    []string
}

// maxExportFile bounds one file read from an export (a zip's member
// included): a WordPress or Ghost export of many years.
const maxExportFile = 1 << 30

// readAll reads a file of an export, up to maxExportFile.
func readAll(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxExportFile+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxExportFile {
		return nil, fmt.Errorf("%s is over 1 GB", name)
	}
	return data, nil
}

// export is a platform's export opened: a folder, or a zip file.
type export struct {
	fs.FS
	close func() error
}

// Close closes the zip file, if it is one.
func (e export) Close() error { return e.close() }

// openExport opens src, a folder or a zip file, as a file system, rooted
// where the file marker is (at the top or in one folder below it, as
// platforms' zips have it); ok is false when it has none. The caller
// closes it.
func openExport(src string, markers ...string) (x export, marker string, ok bool, err error) {
	info, err := os.Stat(src)
	if err != nil {
		return export{}, "", false, err
	}
	x.close = func() error { return nil }
	if info.IsDir() {
		x.FS = os.DirFS(src)
	} else {
		if !isZip(src) {
			return x, "", false, nil
		}
		zr, err := zip.OpenReader(src)
		if err != nil {
			return export{}, "", false, fmt.Errorf("%s: not a zip file mailbag can read: %w", src, err)
		}
		x.FS, x.close = zr, zr.Close
	}
	for _, m := range markers {
		if _, err := fs.Stat(x.FS, m); err == nil {
			return x, m, true, nil
		}
	}
	entries, _ := fs.ReadDir(x.FS, ".")
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") || e.Name() == "__MACOSX" {
			continue
		}
		for _, m := range markers {
			if _, err := fs.Stat(x.FS, path.Join(e.Name(), m)); err == nil {
				sub, err := fs.Sub(x.FS, e.Name())
				if err != nil {
					x.Close()
					return export{}, "", false, err
				}
				x.FS = sub
				return x, m, true, nil
			}
		}
	}
	return x, "", false, nil
}

// hasMarker reports whether src, a folder or a zip, holds one of markers
// (see openExport).
func hasMarker(src string, markers ...string) (bool, error) {
	x, _, ok, err := openExport(src, markers...)
	if err != nil {
		return false, err
	}
	x.Close()
	return ok, nil
}

// isZip reports whether the file at path starts as a zip file does.
func isZip(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 4)
	n, _ := io.ReadFull(f, head)
	return bytes.Equal(head[:n], []byte("PK\x03\x04"))
}

// Detect tells which platform's export src is, as Options.From names it:
// a Markdown file or folder is Jekyll's or Hugo's (read alike, "jekyll").
func Detect(src string) (string, error) {
	info, err := os.Stat(src)
	if err != nil {
		return "", err
	}
	if !info.IsDir() {
		head := make([]byte, 4096)
		f, err := os.Open(src)
		if err != nil {
			return "", err
		}
		n, _ := io.ReadFull(f, head)
		f.Close()
		head = head[:n]
		switch {
		case isMarkdown(src):
			return Jekyll, nil
		case bytes.Contains(head, []byte("wordpress.org/export")):
			return WordPress, nil
		case bytes.HasPrefix(bytes.TrimSpace(head), []byte("{")) && (bytes.Contains(head, []byte(`"db"`)) || bytes.Contains(head, []byte(`"meta"`))):
			return Ghost, nil
		case !bytes.HasPrefix(head, []byte("PK\x03\x04")):
			return "", fmt.Errorf("%s is none of the exports mailbag reads: a Markdown file, a folder of them, a Substack or Buttondown export (zip or folder), a Ghost JSON export or a WordPress WXR file; name its platform with --from", src)
		}
	}
	if ok, err := hasMarker(src, "posts.csv"); err != nil || ok {
		return Substack, err
	}
	if ok, err := hasMarker(src, "emails.csv", "emails.json"); err != nil || ok {
		return Buttondown, err
	}
	if info.IsDir() {
		return Jekyll, nil
	}
	return "", fmt.Errorf("%s is a zip holding neither a Substack export (posts.csv) nor a Buttondown one (emails.csv); name its platform with --from", src)
}

// markdown is the converter of imported HTML: CommonMark with tables and
// strikethrough.
var markdown = htmltomarkdown.NewConverter(htmltomarkdown.WithPlugins(
	base.NewBasePlugin(), commonmark.NewCommonmarkPlugin(), table.NewTablePlugin(), strikethrough.NewStrikethroughPlugin()))

// toMarkdown returns HTML as Markdown; images on the old site are linked
// there (site is its base URL, "" when unknown), and links to its pages
// stay relative: the new site redirects the old addresses it imported.
func toMarkdown(html, site string) (string, error) {
	if site != "" {
		html = imagesAt(html, site)
	}
	out, err := markdown.ConvertString(html)
	if err != nil {
		return "", fmt.Errorf("convert its HTML to Markdown: %w", err)
	}
	return out, nil
}

// withoutClasses returns HTML without the elements of any of classes,
// their content included; the HTML as it was when it does not parse.
func withoutClasses(src string, classes []string) string {
	doc, err := nethtml.Parse(strings.NewReader(src))
	if err != nil {
		return src
	}
	removed := false
	var walk func(n *nethtml.Node)
	walk = func(n *nethtml.Node) {
		for c := n.FirstChild; c != nil; {
			next := c.NextSibling
			if c.Type == nethtml.ElementNode && hasClass(c, classes) {
				n.RemoveChild(c)
				removed = true
			} else {
				walk(c)
			}
			c = next
		}
	}
	walk(doc)
	if !removed {
		return src
	}
	var b strings.Builder
	if err := nethtml.Render(&b, doc); err != nil {
		return src
	}
	return b.String()
}

// imagesAt returns HTML with the relative addresses of its images made
// absolute against site; the HTML as it was when none is relative.
func imagesAt(src, site string) string {
	base, err := url.Parse(site + "/")
	if err != nil || !strings.Contains(src, "<img") {
		return src
	}
	doc, err := nethtml.Parse(strings.NewReader(src))
	if err != nil {
		return src
	}
	changed := false
	var walk func(n *nethtml.Node)
	walk = func(n *nethtml.Node) {
		if n.Type == nethtml.ElementNode && n.Data == "img" {
			for i, a := range n.Attr {
				if a.Key == "src" {
					if u, err := url.Parse(strings.TrimSpace(a.Val)); err == nil && !u.IsAbs() && u.Host == "" {
						n.Attr[i].Val = base.ResolveReference(u).String()
						changed = true
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	var b strings.Builder
	if !changed || nethtml.Render(&b, doc) != nil {
		return src
	}
	return b.String()
}

// hasClass reports whether an element has one of classes.
func hasClass(n *nethtml.Node, classes []string) bool {
	for _, a := range n.Attr {
		if a.Key == "class" {
			for _, c := range strings.Fields(a.Val) {
				if slices.Contains(classes, c) {
					return true
				}
			}
		}
	}
	return false
}

// imageLink finds the address of each image in Markdown.
var imageLink = regexp.MustCompile(`!\[[^\]]*\]\(\s*<?([^)\s>]+)`)

// imageHosts returns the hosts the images of a Markdown body are on.
func imageHosts(md string) []string {
	var out []string
	for _, m := range imageLink.FindAllStringSubmatch(md, -1) {
		if u, err := url.Parse(m[1]); err == nil && u.Host != "" && !slices.Contains(out, u.Host) {
			out = append(out, u.Host)
		}
	}
	return out
}

// convertEntry makes an entry a post in mailbag's format, or a skipped
// result saying why not.
func convertEntry(s *archive.Posts, e entry, site string) converted {
	skip := func(reason string) converted {
		return converted{result: Result{Source: e.source, Outcome: Skipped, Reason: reason}}
	}
	if e.skip != "" {
		return skip(e.skip)
	}
	body := e.markdown
	if body == "" && e.html != "" {
		md, err := toMarkdown(e.html, site)
		if err != nil {
			return skip(err.Error())
		}
		body = md
	}
	body = strings.TrimSpace(body)
	if body == "" {
		return skip("no text")
	}
	p := &archive.Post{Title: strings.TrimSpace(e.title), Slug: e.slug, Body: []byte(body + "\n")}
	if !e.date.IsZero() {
		p.Date = e.date.In(s.Location)
	}
	// A slug as a site writes it may be percent-encoded (WordPress's, for
	// words beyond ASCII) or hold what a file name should not.
	if s, err := url.PathUnescape(p.Slug); err == nil {
		p.Slug = s
	}
	p.Slug = archive.Slugify(p.Slug)
	if p.Slug == "" {
		p.Slug = archive.Slugify(p.Title)
	}
	for _, t := range e.tags {
		if tag := archive.Slugify(t); tag != "" && !slices.Contains(p.Tags, tag) {
			p.Tags = append(p.Tags, tag)
		}
	}
	for _, a := range e.aliases {
		if path, ok := archive.AliasPath(a); ok && !slices.Contains(p.Aliases, path) {
			p.Aliases = append(p.Aliases, path)
		}
	}
	if err := p.Check(); err != nil {
		return skip(strings.ReplaceAll(err.Error(), "\n", ", "))
	}
	out, err := p.Marshal()
	if err != nil {
		return skip(err.Error())
	}
	return converted{result: Result{Source: e.source, Notes: e.notes, Images: imageHosts(body)}, post: p, data: out}
}

// csvRecords reads a CSV file of an export (file names it): each record
// as its cells by column name (in lower case), trimmed. A column of need
// missing is an error saying the file is not platform's.
func csvRecords(data []byte, file, platform string, need ...string) ([]map[string]string, error) {
	cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff"))))
	cr.FieldsPerRecord = -1
	recs, err := cr.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("%s is empty", file)
	}
	header := make([]string, len(recs[0]))
	for i, h := range recs[0] {
		header[i] = strings.ToLower(strings.TrimSpace(h))
	}
	for _, n := range need {
		if !slices.Contains(header, n) {
			return nil, fmt.Errorf("%s has no %s column (it has %s): not a %s export", file, n, strings.Join(recs[0], ", "), platform)
		}
	}
	out := make([]map[string]string, 0, len(recs)-1)
	for _, rec := range recs[1:] {
		m := make(map[string]string, len(header))
		for i, h := range header {
			if i < len(rec) {
				m[h] = strings.TrimSpace(rec[i])
			}
		}
		out = append(out, m)
	}
	return out, nil
}

// pathOf returns the path of a URL on the old site ("/p/slug" of
// "https://x.substack.com/p/slug"), "" when it has none.
func pathOf(link string) string {
	u, err := url.Parse(strings.TrimSpace(link))
	if err != nil || u.Path == "" || u.Path == "/" {
		return ""
	}
	return u.Path
}
