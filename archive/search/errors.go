// Package search is the archive's search index: posts indexed with bleve
// in shards, by mailbag's analyzer (words lower-cased and singular), and
// the queries over them: words, phrases checked against the posts' texts,
// fields and dates, "did you mean", fragments with the words marked, and
// the past answers related to a text or answering a question. The index
// is derived data, rebuilt from posts/ whenever it is missing, outdated or
// unreadable.
package search

import "errors"

// Errors of the index and its queries. They are wrapped with what failed;
// test for them with errors.Is.
var (
	// ErrBadQuery means a search query could not be understood.
	ErrBadQuery = errors.New("search: bad search query")
	// ErrIndexMissing means there is no search index yet.
	ErrIndexMissing = errors.New("search: no search index")
	// ErrIndexOutdated means the search index was made by another version
	// of mailbag, or for another time zone.
	ErrIndexOutdated = errors.New("search: search index out of date")
	// ErrIndexBusy means another process has the search index open.
	ErrIndexBusy = errors.New("search: search index in use by another mailbag process")
	// ErrIndexCorrupt means the search index cannot be opened or read.
	ErrIndexCorrupt = errors.New("search: search index unreadable")
	// ErrIndexClosed means the index was closed, or lost in a failed
	// rebuild.
	ErrIndexClosed = errors.New("search: search index closed")
)
