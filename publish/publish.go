// Package publish turns drafts into published answers: drafts written
// from the draft.md template (the asker's name and address removed,
// privacy.go; a reader's words quoted inert, inert.go), checked, published
// into posts/ and the search index, with the questions they answer marked
// answered; and the schedule that publish --at and send --at leave for
// run.
//
// The list is publish/mailinglist and the mail publish/delivery; the three
// share one migration history, publish/schema. publish uses questions
// (what a draft answers) and archive (posts and the index); neither knows
// of it.
package publish

import (
	"errors"
)

// ErrDraft means a draft is not ready to publish; the error lists every
// problem.
var ErrDraft = errors.New("publish: the draft is not ready")

// ErrPublished means the file asked to publish is a post already: it is in
// posts/. Edit it there; publishing it again would re-date or remove it.
var ErrPublished = errors.New("publish: already published (the file is in posts/): edit it in place")

// ErrNoDraft means no draft has the name or path asked for.
var ErrNoDraft = errors.New("publish: no such draft")

// Placeholder is the line a new English draft holds where the answer goes;
// a draft in another language holds its own (Drafts.Placeholder). A draft
// that still holds either is not published.
const Placeholder = "[Write your answer here.]"
