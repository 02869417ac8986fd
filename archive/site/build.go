package site

import (
	"bytes"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"mailbag/archive"
	"mailbag/internal/atomicfile"
)

// BuildStats says what Build wrote.
type BuildStats struct {
	Files int
}

// Build writes the site as static files into dir, for any static host:
// every page the server has (a folder with an index.html for each path
// ending in /), the feed, the sitemap, robots.txt, the style sheet, and
// 404.html. The pages are those the server makes, byte for byte. The new
// build replaces dir only once it is complete.
//
// A static site cannot search or take subscriptions: build the Site with
// Options.Static set, and its pages have those forms only when ServerURL
// names a `mailbag serve` that answers them.
func (s *Site) Build(dir string) (BuildStats, error) {
	var stats BuildStats
	tmp := dir + ".new"
	if err := os.RemoveAll(tmp); err != nil {
		return stats, fmt.Errorf("site: build: %w", err)
	}
	mux := s.mux
	paths := s.staticPaths()
	// The pages are made on every core; the site is safe for that.
	next := make(chan string)
	errs := make(chan error, 1)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for p := range next {
				body, status := serveGET(mux, p)
				err := writeBuildFile(tmp, p, body)
				if status != http.StatusOK {
					err = fmt.Errorf("site: build %s: status %d", p, status)
				}
				if err != nil {
					select {
					case errs <- err:
					default:
					}
				}
			}
		})
	}
	for _, p := range paths {
		next <- p
	}
	close(next)
	wg.Wait()
	select {
	case err := <-errs:
		os.RemoveAll(tmp)
		return stats, err
	default:
	}
	stats.Files = len(paths)
	notFound, _ := serveGET(mux, "/404-not-a-page")
	if err := writeBuildFile(tmp, "/404.html", notFound); err != nil {
		os.RemoveAll(tmp)
		return stats, err
	}
	stats.Files++
	n, err := s.writeRedirects(tmp)
	if err != nil {
		os.RemoveAll(tmp)
		return stats, err
	}
	stats.Files += n
	if err := atomicfile.ReplaceDir(tmp, dir); err != nil {
		return stats, fmt.Errorf("site: build: %w", err)
	}
	return stats, nil
}

// staticPaths lists every path of the site but search.
func (s *Site) staticPaths() []string {
	snap := s.cache.get()
	paths := []string{"/", "/archive/", "/feed.xml", "/sitemap.xml", "/robots.txt", "/style.css"}
	for n := 2; (n-1)*perPage < snap.posts.len(); n++ {
		paths = append(paths, homePath(n))
	}
	tags := make([]string, 0, len(snap.byTag))
	for t := range snap.byTag {
		tags = append(tags, t)
	}
	slices.Sort(tags)
	for n := 2; (n-1)*archivePerPage < snap.posts.len(); n++ {
		paths = append(paths, archivePath("", n))
	}
	for _, t := range tags {
		for n := 1; n == 1 || (n-1)*archivePerPage < len(snap.byTag[t]); n++ {
			paths = append(paths, archivePath(t, n))
		}
	}
	for n := 1; n <= sitemapFiles(snap.posts.len()); n++ {
		paths = append(paths, sitemapPath(n))
	}
	for i := range snap.posts.len() {
		paths = append(paths, snap.posts.at(i).URLPath())
	}
	return paths
}

// redirectPage is the page a build writes at a post's old address: a
// static host cannot redirect, so the page does, and says where to.
var redirectPage = htmltemplate.Must(htmltemplate.New("redirect").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Moved: {{.Title}}</title>
<meta name="robots" content="noindex">
<link rel="canonical" href="{{.URL}}">
<meta http-equiv="refresh" content="0; url={{.Path}}">
</head>
<body>
<p>This answer has moved: <a href="{{.Path}}">{{.Title}}</a>.</p>
</body>
</html>
`))

// writeRedirects writes a redirect page at each post's old address (its
// aliases) in the build dir, where no page of the site is, and returns how
// many it wrote.
func (s *Site) writeRedirects(dir string) (int, error) {
	n := 0
	var shortLinks []string
	snap := s.cache.get()
	for i := range snap.posts.len() {
		p := snap.posts.at(i)
		for _, a := range p.Aliases {
			if id, ok := archive.ShortLinkID(a); ok {
				shortLinks = append(shortLinks, fmt.Sprintf("%s %s;\n", id, p.URLPath()))
				continue
			}
			path := a
			if ext := filepath.Ext(a); ext != ".html" && ext != ".htm" && !strings.HasSuffix(a, "/") {
				path += "/"
			}
			if path == p.URLPath() {
				continue
			}
			file := filepath.Join(dir, filepath.FromSlash(strings.TrimPrefix(path, "/")))
			if strings.HasSuffix(path, "/") {
				file = filepath.Join(file, "index.html")
			}
			if _, err := os.Stat(file); err == nil {
				continue // a page of the site, or an alias written already
			}
			var page bytes.Buffer
			data := struct{ Title, Path, URL string }{p.Title, p.URLPath(), strings.TrimRight(s.o.BaseURL, "/") + p.URLPath()}
			if err := redirectPage.Execute(&page, data); err != nil {
				return n, fmt.Errorf("site: build: %w", err)
			}
			if err := writeBuildFile(dir, path, page.Bytes()); err != nil {
				return n, err
			}
			n++
		}
	}
	if len(shortLinks) > 0 {
		// A query is no file: the short links are a map for nginx
		// (docs/migrating.md).
		if err := writeBuildFile(dir, "/"+ShortLinksFile, []byte(strings.Join(shortLinks, ""))); err != nil {
			return n, err
		}
	}
	return n, nil
}

// ShortLinksFile is the file build writes WordPress's short links in
// ("/?p=ID", which no file can answer), as lines of an nginx map: the ID,
// then the path of the post's page.
const ShortLinksFile = "wordpress-shortlinks.map"

// serveGET runs a GET of path through h and returns the body and status.
func serveGET(h http.Handler, path string) ([]byte, int) {
	w := &bufferWriter{header: http.Header{}, status: http.StatusOK}
	r, _ := http.NewRequest(http.MethodGet, path, nil)
	h.ServeHTTP(w, r)
	return w.body.Bytes(), w.status
}

// writeBuildFile writes the body of path under dir.
func writeBuildFile(dir, path string, body []byte) error {
	rel := filepath.FromSlash(strings.TrimPrefix(path, "/"))
	if strings.HasSuffix(path, "/") {
		rel = filepath.Join(rel, "index.html")
	}
	file := filepath.Join(dir, rel)
	if !strings.HasPrefix(file, filepath.Clean(dir)+string(filepath.Separator)) {
		return fmt.Errorf("site: build: %s is outside the build", path)
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return fmt.Errorf("site: build: %w", err)
	}
	if err := os.WriteFile(file, body, 0o644); err != nil {
		return fmt.Errorf("site: build: %w", err)
	}
	return nil
}

// bufferWriter is an http.ResponseWriter that keeps the response.
type bufferWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (w *bufferWriter) Header() http.Header         { return w.header }
func (w *bufferWriter) Write(b []byte) (int, error) { return w.body.Write(b) }
func (w *bufferWriter) WriteHeader(status int)      { w.status = status }

// errNotEmpty means a build would replace a folder that is not a build.
var errNotEmpty = errors.New("site: the folder is not empty and holds no earlier build")

// CheckBuildDir reports whether dir may be replaced by a build: it does not
// exist, is empty, or holds an earlier build (an index.html and a
// sitemap.xml); the error says which it is not.
func CheckBuildDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) || err == nil && len(entries) == 0 {
		return nil
	}
	if err != nil {
		return fmt.Errorf("site: build: %w", err)
	}
	for _, name := range []string{"index.html", "sitemap.xml"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			return fmt.Errorf("%w: %s", errNotEmpty, dir)
		}
	}
	return nil
}
