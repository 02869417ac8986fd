package archive

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"mailbag/internal/atomicfile"
	"mailbag/internal/parallel"
	"mailbag/internal/scratch"
)

// Posts is the folder of published posts (posts/ in a newsletter home):
// one file per post, named YYYY-MM-DD-slug.md.
type Posts struct {
	// Dir is the folder.
	Dir string
	// Location is the newsletter's time zone: dates without a zone are
	// read in it. Nil means UTC.
	Location *time.Location
	// Language is the language the posts are written in, a BCP 47 tag
	// ("" means English): search analyses their words by its rules.
	Language string
}

// ReadFile reads and checks one post file. The slug comes from the front
// matter, else from the file name; so does the date where the front matter
// has none (Jekyll does the same). Errors name the file.
func (s *Posts) ReadFile(path string) (*Post, error) {
	// Stat before reading: a change made in between shows as a newer
	// file than the one indexed, and is read again.
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("archive: read post: %w", err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("archive: read post: %w", err)
	}
	return s.parse(path, fi, data)
}

// headBytes is how much of a post's file readHeader reads first: front
// matter is a few hundred bytes.
const headBytes = 4 << 10

// readHeader does what ReadFile does without the body (nor what Marshal needs): the
// start of the file is read into a lent buffer, and where it does not
// hold the whole front matter, the whole file. serve reads every post's
// front matter as it starts: the whole files were a third of what it
// allocated doing so at 100,000 posts (600 MB).
func (s *Posts) readHeader(path string) (*Post, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("archive: read post: %w", err)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("archive: read post: %w", err)
	}
	buf := scratch.Borrow(headBytes)
	defer scratch.GiveBack(buf)
	n, err := io.ReadFull(f, *buf)
	f.Close()
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) { // a short file, or an empty one
		return nil, fmt.Errorf("archive: read post: %w", err)
	}
	head := (*buf)[:n]
	if n == len(*buf) { // the file goes on: whole lines only, as a closing --- cut short may be a longer line
		head = head[:bytes.LastIndexByte(head, '\n')+1]
	}
	if _, _, _, err := splitFrontMatter(bytes.TrimPrefix(head, utf8BOM)); err != nil {
		return s.ReadFile(path) // front matter longer than the start read, or bad: read as ever
	}
	p, err := s.parse(path, fi, head)
	if p != nil {
		p.Body, p.src = nil, nil // in the lent buffer
	}
	return p, err
}

// parse makes the post read from the file at path (data, as it was when
// fi was taken), and checks it.
func (s *Posts) parse(path string, fi os.FileInfo, data []byte) (*Post, error) {
	p, err := Parse(data, s.Location)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	p.Path = path
	p.file = fileInfo{size: fi.Size(), modTime: fi.ModTime().UnixNano()}
	date, slug := SplitFileName(FileStem(path), s.Location)
	if p.Slug == "" {
		p.Slug = slug
	}
	if p.Date.IsZero() {
		p.Date = date
	}
	if err := p.Check(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}

// FileStem returns a file's name without folder and extension.
func FileStem(path string) string {
	base := filepath.Base(path)
	return strings.TrimSuffix(base, filepath.Ext(base))
}

// IsPostFile reports whether a name in posts/ is a post: Markdown, not
// hidden (temporary files start with a dot).
func IsPostFile(name string) bool {
	if strings.HasPrefix(name, ".") {
		return false
	}
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".md" || ext == ".markdown"
}

// List reads every post, newest first (then by slug). Files that are not
// valid posts, and second posts with a slug already taken, are left out and
// returned as problems, one error per file naming it, sorted. The error is
// for failing to read the folder; a missing folder is an empty archive.
func (s *Posts) List() (posts []*Post, problems []error, err error) {
	return s.list(true)
}

// Headers does what List does without the posts' bodies (nor their front matter as
// read, for Marshal): what a list of 100,000 posts can hold in little
// memory. A post's body is read again from its Path when needed (Body
// reads it).
func (s *Posts) Headers() (posts []*Post, problems []error, err error) {
	return s.list(false)
}

// Body returns a post's body: Body, or for a post from Headers, read again from
// its file.
func (s *Posts) Body(p *Post) ([]byte, error) {
	if p.Body != nil || p.Path == "" {
		return p.Body, nil
	}
	full, err := s.ReadFile(p.Path)
	if err != nil {
		return nil, err
	}
	return full.Body, nil
}

func (s *Posts) list(bodies bool) (posts []*Post, problems []error, err error) {
	entries, err := os.ReadDir(s.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("archive: list posts: %w", err)
	}
	var paths []string
	for _, e := range entries {
		if e.Type().IsRegular() && IsPostFile(e.Name()) {
			paths = append(paths, filepath.Join(s.Dir, e.Name()))
		}
	}
	posts, errs := s.readAll(paths, bodies)
	slices.SortFunc(errs, func(a, b error) int { return cmp.Compare(a.Error(), b.Error()) })
	SortPosts(posts)
	posts, dupErrs := dropDuplicateSlugs(posts)
	return posts, append(errs, dupErrs...), nil
}

// ReadHeaders reads the posts in files paths without their bodies, on
// all cores, in no order; the files that are not posts are returned as
// problems.
func (s *Posts) ReadHeaders(paths []string) ([]*Post, []error) {
	return s.readAll(paths, false)
}

// readAll reads files on all cores, without the bodies unless bodies is
// set; the order of the result is not that of paths.
func (s *Posts) readAll(paths []string, bodies bool) ([]*Post, []error) {
	read := make([]*Post, len(paths))
	errs := make([]error, len(paths))
	parallel.For(len(paths), func(i int) {
		if bodies {
			read[i], errs[i] = s.ReadFile(paths[i])
		} else if read[i], errs[i] = s.readHeader(paths[i]); read[i] != nil {
			read[i].Body, read[i].src = nil, nil
		}
	})
	posts := make([]*Post, 0, len(paths))
	var problems []error
	for i := range paths {
		if errs[i] != nil {
			problems = append(problems, errs[i])
		} else {
			posts = append(posts, read[i])
		}
	}
	return posts, problems
}

// SortPosts orders posts newest first, then by slug.
func SortPosts(posts []*Post) {
	slices.SortFunc(posts, func(a, b *Post) int {
		if c := b.Date.Compare(a.Date); c != 0 {
			return c
		}
		return cmp.Compare(a.Slug, b.Slug)
	})
}

// dropDuplicateSlugs keeps the newest post of each slug.
func dropDuplicateSlugs(posts []*Post) ([]*Post, []error) {
	seen := make(map[string]*Post, len(posts))
	var errs []error
	kept := posts[:0]
	for _, p := range posts {
		if first, ok := seen[p.Slug]; ok {
			errs = append(errs, fmt.Errorf("%s: slug %q is already used by %s", p.Path, p.Slug, first.Path))
			continue
		}
		seen[p.Slug] = p
		kept = append(kept, p)
	}
	return kept, errs
}

// Find returns the post named by ref: a path to a file in Dir, or a slug
// (the post file is then found in Dir). The error wraps ErrNotFound when
// there is no such post, and ErrNotInPosts for a file elsewhere (a draft):
// only what is in posts/ is published.
func (s *Posts) Find(ref string) (*Post, error) {
	if strings.ContainsRune(ref, filepath.Separator) || IsPostFile(ref) {
		if _, err := os.Stat(ref); err != nil {
			return nil, fmt.Errorf("archive: post %s: %w", ref, ErrNotFound)
		}
		if !s.Holds(ref) {
			return nil, fmt.Errorf("archive: %s: %w", ref, ErrNotInPosts)
		}
		return s.ReadFile(ref)
	}
	path, err := s.pathOf(ref)
	if err != nil {
		return nil, err
	}
	return s.ReadFile(path)
}

// Holds reports whether the file at path is in Dir (not in a folder below
// it): a published post.
func (s *Posts) Holds(path string) bool {
	dir, err1 := filepath.Abs(s.Dir)
	file, err2 := filepath.Abs(path)
	if err1 != nil || err2 != nil {
		return false
	}
	if d, err := filepath.EvalSymlinks(dir); err == nil {
		dir = d
	}
	if f, err := filepath.EvalSymlinks(filepath.Dir(file)); err == nil {
		return f == dir
	}
	return filepath.Dir(file) == dir
}

// Text returns the plain text of the body of the post named slug (PlainText).
func (s *Posts) Text(slug string) (string, error) {
	p, err := s.FindNamed(slug)
	if err != nil {
		return "", err
	}
	full, err := s.ReadFile(p.Path)
	if err != nil {
		return "", err
	}
	return PlainText(full.Body), nil
}

// FindNamed returns the post whose file is named with slug
// (YYYY-MM-DD-slug.md), as mailbag names every post it writes. Unlike Find
// it reads no other file, so it stays fast however large the archive. The
// error wraps ErrNotFound.
func (s *Posts) FindNamed(slug string) (*Post, error) {
	path, err := s.namedPath(slug)
	if err != nil {
		return nil, err
	}
	return s.ReadFile(path)
}

// namedPath finds the file named with slug.
func (s *Posts) namedPath(slug string) (string, error) {
	if !validSlug(slug) {
		return "", fmt.Errorf("archive: %q is not a post slug: %w", slug, ErrNotFound)
	}
	matches, err := filepath.Glob(filepath.Join(s.Dir, "[0-9][0-9][0-9][0-9]-*-"+slug+".md"))
	if err != nil {
		return "", fmt.Errorf("archive: find post %s: %w", slug, err)
	}
	for _, m := range matches {
		if _, sl := SplitFileName(FileStem(m), s.Location); sl == slug {
			return m, nil
		}
	}
	return "", fmt.Errorf("archive: post %s: %w", slug, ErrNotFound)
}

// pathOf finds the file of the post with slug: the file named with it,
// else (reading every post) one whose front matter sets it.
func (s *Posts) pathOf(slug string) (string, error) {
	if path, err := s.namedPath(slug); err == nil || !errors.Is(err, ErrNotFound) || !validSlug(slug) {
		return path, err
	}
	posts, _, _ := s.List()
	for _, p := range posts {
		if p.Slug == slug {
			return p.Path, nil
		}
	}
	return "", fmt.Errorf("archive: post %s: %w", slug, ErrNotFound)
}

// Write saves p as Dir/YYYY-MM-DD-slug.md, atomically (a temporary file,
// synced, then linked into place), and sets p.Path. Writing a post whose
// file already holds the same bytes does nothing. The error wraps ErrExists
// when that file, or another file named with the same slug, holds a
// different post: Write never overwrites one. (A hand-named file that sets
// the same slug in its front matter is not looked for: List reports the
// clash.)
func (s *Posts) Write(p *Post) error {
	if err := p.Check(); err != nil {
		return fmt.Errorf("archive: write post: %w", err)
	}
	data, err := p.Marshal()
	if err != nil {
		return err
	}
	path := filepath.Join(s.Dir, p.FileName())
	if old, err := s.namedPath(p.Slug); err == nil && old != path {
		return fmt.Errorf("archive: write %s: slug %q is taken by %s: %w", path, p.Slug, old, ErrExists)
	}
	if err := os.MkdirAll(s.Dir, 0o755); err != nil {
		return fmt.Errorf("archive: write post: %w", err)
	}
	err = atomicfile.Create(path, data, 0o644)
	if errors.Is(err, fs.ErrExist) {
		if old, rerr := os.ReadFile(path); rerr == nil && bytes.Equal(old, data) {
			err = nil
		} else {
			err = fmt.Errorf("%s holds a different post: %w", path, ErrExists)
		}
	}
	if err != nil {
		return fmt.Errorf("archive: write post: %w", err)
	}
	p.Path = path
	if fi, err := os.Stat(path); err == nil {
		p.file = fileInfo{size: fi.Size(), modTime: fi.ModTime().UnixNano()}
	}
	return nil
}
