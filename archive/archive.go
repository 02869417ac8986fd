// Package archive owns the published answers: posts on disk as Markdown
// files with YAML front matter, their address on the site (Post.URLPath),
// their rendering to HTML, and the bleve search index built from them. The
// web site that shows them is archive/site; this package has no net/http.
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
	// ErrBadQuery means a search query could not be understood.
	ErrBadQuery = errors.New("archive: bad search query")
	// ErrIndexMissing means there is no search index yet.
	ErrIndexMissing = errors.New("archive: no search index")
	// ErrIndexOutdated means the search index was made by another version
	// of mailbag, or for another time zone.
	ErrIndexOutdated = errors.New("archive: search index out of date")
	// ErrIndexBusy means another process has the search index open.
	ErrIndexBusy = errors.New("archive: search index in use by another mailbag process")
	// ErrIndexCorrupt means the search index cannot be opened or read.
	ErrIndexCorrupt = errors.New("archive: search index unreadable")
	// ErrIndexClosed means the index was closed, or lost in a failed
	// rebuild.
	ErrIndexClosed = errors.New("archive: search index closed")
)
