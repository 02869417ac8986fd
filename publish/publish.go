// Package publish turns questions into published answers: drafts written
// from a template in the author's editor, checked, published into posts/
// and the search index, with the questions they answer marked answered.
// Later it will also own subscribers and the sender.
//
// It uses ingest (the questions) and archive (posts and the index); neither
// knows of it.
package publish

import (
	"errors"
)

// ErrDraft means a draft is not ready to publish; the error lists every
// problem.
var ErrDraft = errors.New("publish: the draft is not ready")

// ErrNoDraft means no draft has the name or path asked for.
var ErrNoDraft = errors.New("publish: no such draft")

// Placeholder is the line a new draft holds where the answer goes; a draft
// that still holds it is not published.
const Placeholder = "[Write your answer here.]"
