package mailmsg

import (
	"fmt"

	"mailbag/questions"
)

// Options are what Question needs to know besides the message.
type Options struct {
	// OwnAddress is the newsletter's address: its own mail is not a question.
	OwnAddress string
	// AuthservIDs are the receiving servers whose Authentication-Results
	// (RFC 8601) are believed.
	AuthservIDs []string
	// MaxSize is the largest message fetched whole, in bytes: of a larger
	// one the header alone came.
	MaxSize int64
}

// Question reads raw, a message of size bytes on the server, into a
// question, or an ignored entry with its reason.
func Question(raw []byte, size int64, o Options) questions.Incoming {
	m, err := Parse(raw)
	if err != nil {
		return questions.Incoming{Question: questions.Question{Status: questions.StatusIgnored, Kind: questions.KindUnreadable, Reason: err.Error(), MessageKey: contentKey(raw)}}
	}
	q := questions.Question{
		Status:     questions.StatusNew,
		MessageKey: m.Key,
		Subject:    cleanSubject(m.Subject),
		FromName:   m.FromName,
		FromAddr:   m.FromAddr,
		Received:   m.Date,
		Text:       CleanText(m.Text),

		Attachments: m.Attachments,
	}
	q.NoAutoReply = noAutoReply(m.Header)
	q.Authenticated = authenticated(m.Header, o.AuthservIDs, m.FromAddr)
	kind, reason := classify(m, o.OwnAddress, q.Text)
	if o.MaxSize > 0 && size > o.MaxSize && (kind == "" || kind == questions.KindNoText) {
		kind = questions.KindTooLarge
		reason = fmt.Sprintf("%.1f MB, over the limit of %.1f MB: only the header was kept", float64(size)/(1<<20), float64(o.MaxSize)/(1<<20))
	}
	if kind != "" {
		q.Status, q.Kind, q.Reason = questions.StatusIgnored, kind, reason
	}
	return questions.Incoming{Question: q, Refs: m.Refs, Report: ReportOf(kind, m)}
}
