// Package archive owns the published answers: posts on disk as Markdown
// files with YAML front matter, their address on the site (Post.URLPath)
// and their rendering to HTML. The search index built from them is
// archive/search, bringing posts in from other tools archive/importer, the
// web site that shows them archive/site; this package has no net/http.
//
// The files in posts/ are the source of truth. The search index is derived
// data: it can always be rebuilt from the files, and nothing here keeps the
// only copy of an answer anywhere else.
//
// The package knows nothing of mail, questions, subscribers or the web.
package archive

import "errors"

// Sentinel errors. They are wrapped with the post or file concerned; test for
// them with errors.Is.
var (
	// ErrNotFound means no post has the slug or path asked for.
	ErrNotFound = errors.New("archive: post not found")
	// ErrNotInPosts means a file named as a post is not in posts/: it is
	// not published.
	ErrNotInPosts = errors.New("archive: not a published post: the file is not in posts/")
	// ErrExists means a different post already has the file name or slug.
	ErrExists = errors.New("archive: a different post already exists")
)
