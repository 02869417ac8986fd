// Package publish turns questions into published answers and mails them:
//
//   - drafts written from the draft.md template (the asker's name and
//     address removed, privacy.go), checked, published into posts/ and the
//     search index, with the questions they answer marked answered;
//   - the subscriber list (CSV import and export), subscriptions with
//     double opt-in and signed links (subscriptions.go, token.go), bounces
//     from the delivery reports ingest recorded;
//   - the sender: each active subscriber mailed a post once, with a
//     delivery journal so that a killed run mails nobody twice (RFC 5321
//     over go-mail, List-Unsubscribe with RFC 8058 one-click, optional
//     DKIM);
//   - the askers' acknowledgements and notifications (RFC 3834).
//
// It owns the subscribers, deliveries, acknowledgements and notifications
// tables. It uses ingest (the questions, the delivery reports) and archive
// (posts and the index); neither knows of it, and the web site reaches its
// Subscriptions only through an interface of the site's, filled by cmd.
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

// Placeholder is the line a new draft holds where the answer goes; a draft
// that still holds it is not published.
const Placeholder = "[Write your answer here.]"
