package delivery

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode"

	"mailbag/archive"
	"mailbag/archive/search"
	"mailbag/internal/automail"
	"mailbag/internal/mailaddr"
	"mailbag/publish/mailinglist"
	"mailbag/publish/schema"
	"mailbag/questions"
	"mailbag/templates"
)

// ackInterval is the least time between two acknowledgements to one
// address (RFC 3834, 2: do not reply to the same sender more than once
// within a period).
const ackInterval = 24 * time.Hour

// AskersOptions configure Askers.
type AskersOptions struct {
	Queue      *questions.Queue
	Mailer     automail.Mailer
	Newsletter mailinglist.Newsletter
	Templates  *templates.Set
	// Answers, when set, finds up to n past answers that answer a
	// question well (search.Index.Answers, opened for the call): the
	// acknowledgement lists them. nil lists none; an error is logged and
	// the acknowledgement goes without them.
	Answers func(ctx context.Context, question string, n int) ([]search.Hit, error)
	// Log receives what went wrong without stopping a reply; nil discards.
	Log *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// ackAnswers is how many past answers an acknowledgement lists at most.
const ackAnswers = 3

// Askers writes to the people who asked questions, each message once: that
// their question arrived (Acknowledge), and that it was answered (Notify).
// It owns the acknowledgements and notifications tables.
type Askers struct {
	db  *sql.DB
	o   AskersOptions
	now func() time.Time
}

// ackData and notifyData are what ack.txt and notify.txt are executed
// with.
type (
	ackData struct {
		Newsletter, Subject string
		// Answers are past answers that may answer the question already.
		Answers []ackAnswer
	}
	ackAnswer  struct{ Title, URL, Date string }
	notifyData struct{ Newsletter, Subject, PostURL string }
)

// NewAskers returns the Askers of the state database db, creating or
// upgrading its tables, with ack.txt and notify.txt checked.
func NewAskers(ctx context.Context, db *sql.DB, o AskersOptions) (*Askers, error) {
	if err := schema.Migrate(ctx, db); err != nil {
		return nil, err
	}
	if err := o.Templates.Check("ack.txt", ackData{"N", "S", []ackAnswer{{"T", "https://u/", "1 May 2020"}}}, ackData{}); err != nil {
		return nil, err
	}
	if err := o.Templates.Check("notify.txt", notifyData{"N", "S", "https://u/"}, notifyData{}); err != nil {
		return nil, err
	}
	a := &Askers{db: db, o: o, now: o.Now}
	if a.now == nil {
		a.now = time.Now
	}
	if a.o.Log == nil {
		a.o.Log = slog.New(slog.DiscardHandler)
	}
	return a, nil
}

// StartAcknowledging records that acknowledgements are on from now, unless
// they were on already: Acknowledge answers only mail that arrived since,
// never the backlog. It is called when ingest starts with acknowledge on.
//
// Mail servers say when mail arrived to the second: mail that arrived in
// the second acknowledgements were turned on may have come before, and is
// taken as backlog.
func (a *Askers) StartAcknowledging(ctx context.Context) error {
	since := a.now().UTC().Truncate(time.Second).Add(time.Second)
	_, err := a.db.ExecContext(ctx, `INSERT INTO acknowledging (since) SELECT ? WHERE NOT EXISTS (SELECT 1 FROM acknowledging)`,
		since.Format(time.RFC3339))
	if err != nil {
		return fmt.Errorf("publish: start acknowledging: %w", err)
	}
	return nil
}

// StopAcknowledging records that acknowledgements are off, in the state
// database db: when they are turned on again, mail that arrived meanwhile
// is backlog, not answered. It is called when ingest starts with
// acknowledge off.
func StopAcknowledging(ctx context.Context, db *sql.DB) error {
	if err := schema.Migrate(ctx, db); err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, `DELETE FROM acknowledging`); err != nil {
		return fmt.Errorf("publish: stop acknowledging: %w", err)
	}
	return nil
}

// acknowledgingSince returns when acknowledgements were turned on; the zero
// time when they are off.
func (a *Askers) acknowledgingSince(ctx context.Context) (time.Time, error) {
	var since string
	err := a.db.QueryRowContext(ctx, `SELECT since FROM acknowledging`).Scan(&since)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("publish: acknowledge: %w", err)
	}
	t, err := time.Parse(time.RFC3339, since)
	if err != nil {
		return time.Time{}, fmt.Errorf("publish: acknowledge: %w", err)
	}
	return t, nil
}

// AckSummary says what a pass of Acknowledge did.
type AckSummary struct {
	Sent int // acknowledgements that went out
	// Unauthenticated are new questions whose sender the receiving server
	// did not authenticate (Question.Authenticated, from ingest): no reply
	// goes to them, since their From may be forged.
	Unauthenticated int
	// Failed are acknowledgements that could not be made or sent; each is
	// tried again by the next passes, up to maxAckAttempts times in all.
	Failed int
}

// maxAckAttempts bounds how many times one acknowledgement is tried.
const maxAckAttempts = 3

// Acknowledge replies to the asker of every new question that arrived
// since StartAcknowledging and is not yet acknowledged, that their
// question arrived, following RFC 3834: marked Auto-Submitted:
// auto-replied, In-Reply-To the question, to the asker's address alone
// (never their display name), at most once a day an address, and never to
// mail that asks for no automatic reply (Question.NoAutoReply, from ingest: a
// null Return-Path, Precedence, Auto-Submitted, list headers). A reply
// goes only to a sender the receiving server authenticated
// (Question.Authenticated): a forged sender gets nothing, so the newsletter
// never mails strangers for a spammer. One acknowledgement that fails does
// not stop the others: it is recorded with why and tried again by the next
// call, up to maxAckAttempts times. The error is for the state database.
func (a *Askers) Acknowledge(ctx context.Context) (AckSummary, error) {
	var sum AckSummary
	since, err := a.acknowledgingSince(ctx)
	if err != nil || since.IsZero() {
		return sum, err
	}
	news, err := a.o.Queue.List(ctx, questions.StatusNew)
	if err != nil {
		return sum, err
	}
	for _, question := range news {
		addr := mailaddr.Key(question.FromAddr)
		if addr == "" || addr == mailaddr.Key(a.o.Newsletter.Address) || question.NoAutoReply != "" || question.Received.Before(since) {
			continue
		}
		if question.Authenticated == "" {
			// Passed over, once: counted by the pass that first sees it.
			res, err := a.db.ExecContext(ctx, `INSERT INTO acknowledgements (question_id, address, acked, sent, attempts) VALUES (?, ?, 0, ?, 0)
				ON CONFLICT (question_id) DO NOTHING`, question.ID, addr, a.now().UTC().Format(time.RFC3339))
			if err != nil {
				return sum, fmt.Errorf("publish: acknowledge: %w", err)
			}
			if n, _ := res.RowsAffected(); n > 0 {
				sum.Unauthenticated++
			}
			continue
		}
		acked, err := a.claimAck(ctx, question.ID, addr)
		if err != nil {
			return sum, err
		}
		if !acked {
			continue
		}
		if err := a.acknowledge(ctx, question); err != nil {
			sum.Failed++
			a.o.Log.Warn("acknowledgement not sent; tried again by the next ingest", "question", question.ID, "err", err)
			if _, derr := a.db.ExecContext(context.WithoutCancel(ctx), `UPDATE acknowledgements SET acked = 0, error = ? WHERE question_id = ?`,
				cut(err.Error(), 300), question.ID); derr != nil {
				return sum, fmt.Errorf("publish: acknowledge question %d: %w", question.ID, derr)
			}
			continue
		}
		sum.Sent++
	}
	return sum, nil
}

// cut returns s cut to at most n bytes.
func cut(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// claimAck records that question id was dealt with, and whether it is to
// be acknowledged now: not when it was before (or tried maxAckAttempts
// times), nor when its address had one in the last day.
func (a *Askers) claimAck(ctx context.Context, id int64, addr string) (bool, error) {
	var attempts int
	var failed string
	err := a.db.QueryRowContext(ctx, `SELECT attempts, error FROM acknowledgements WHERE question_id = ?`, id).Scan(&attempts, &failed)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return false, fmt.Errorf("publish: acknowledge: %w", err)
	case failed == "" || attempts >= maxAckAttempts:
		return false, nil // sent, passed over, or given up
	}
	var recent int
	since := a.now().Add(-ackInterval).UTC().Format(time.RFC3339)
	if err := a.db.QueryRowContext(ctx, `SELECT count(*) FROM acknowledgements WHERE address = ? AND acked = 1 AND sent > ? AND question_id != ?`,
		addr, since, id).Scan(&recent); err != nil {
		return false, fmt.Errorf("publish: acknowledge: %w", err)
	}
	if _, err := a.db.ExecContext(ctx, `INSERT INTO acknowledgements (question_id, address, acked, sent, attempts) VALUES (?, ?, ?, ?, 1)
		ON CONFLICT (question_id) DO UPDATE SET acked = excluded.acked, sent = excluded.sent, error = '', attempts = attempts + 1`,
		id, addr, recent == 0, a.now().UTC().Format(time.RFC3339)); err != nil {
		return false, fmt.Errorf("publish: acknowledge: %w", err)
	}
	return recent == 0, nil
}

// ackSubject returns the subject of an acknowledgement: "Re: " and at most the
// first 78 characters of the question's subject, without control
// characters. A stranger chooses the subject; it must carry little.
func ackSubject(subject string) string {
	clean := strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.In(r, unicode.Cf) {
			return -1
		}
		return r
	}, subject)
	clean = strings.Join(strings.Fields(clean), " ")
	if r := []rune(clean); len(r) > 78 {
		clean = string(r[:78]) + "…"
	}
	return "Re: " + clean
}

// acknowledge mails one asker.
func (a *Askers) acknowledge(ctx context.Context, question *questions.Question) error {
	n := a.o.Newsletter
	m := automail.Mail{
		FromName: n.Title, FromAddr: n.Address, ToAddr: question.FromAddr, // never the sender's display name: anyone writes it
		Subject:       ackSubject(question.Subject),
		Domain:        n.Host(),
		AutoSubmitted: "auto-replied",
		Body:          a.o.Templates.Text("ack.txt"),
		Data:          ackData{Newsletter: n.Title, Subject: strings.TrimPrefix(ackSubject(question.Subject), "Re: "), Answers: a.pastAnswers(ctx, question)},
	}
	if !strings.HasPrefix(question.MessageKey, "sha256:") {
		m.InReplyTo = question.MessageKey
	}
	id, err := m.Send(ctx, a.o.Mailer)
	if err == nil {
		a.sentAbout(ctx, question.ID, id)
	}
	return err
}

// sentAbout records the Message-ID of a mail about a question that went
// out, so that the asker's reply to it joins the question (ingest's
// follow-ups). Failing that is said in the log, not an error: the mail is
// out, and must not go again.
func (a *Askers) sentAbout(ctx context.Context, question int64, id string) {
	if err := a.o.Queue.SentAbout(context.WithoutCancel(ctx), question, id); err != nil {
		a.o.Log.Warn("a reply to this mail will be a new question", "question", question, "err", err)
	}
}

// pastAnswers returns the past answers that may answer question already, for its
// acknowledgement: none when they cannot be looked for.
func (a *Askers) pastAnswers(ctx context.Context, question *questions.Question) []ackAnswer {
	if a.o.Answers == nil {
		return nil
	}
	hits, err := a.o.Answers(ctx, question.Subject+"\n"+question.Text, ackAnswers)
	if err != nil {
		a.o.Log.Warn("acknowledge without past answers: the search index cannot be read", "question", question.ID, "err", err)
		return nil
	}
	var out []ackAnswer
	for _, h := range hits {
		out = append(out, ackAnswer{Title: h.Title, URL: strings.TrimRight(a.o.Newsletter.BaseURL, "/") + h.URLPath(), Date: a.o.Templates.Messages().Date(h.Date)})
	}
	return out
}

// Notify mails each asker of the questions post answers, once: "your
// question was answered", with the link, marked Auto-Submitted:
// auto-generated (RFC 3834); only to askers the receiving server
// authenticated, as Acknowledge. It returns how many it told. A question whose
// asker was told before is skipped; a failed message is tried again by the
// next call.
func (a *Askers) Notify(ctx context.Context, post *archive.Post) (int, error) {
	told := 0
	for _, id := range post.Questions {
		question, err := a.o.Queue.Get(ctx, id)
		if err != nil {
			return told, err
		}
		if question.FromAddr == "" || mailaddr.Key(question.FromAddr) == mailaddr.Key(a.o.Newsletter.Address) || question.Authenticated == "" {
			continue // no mail to a sender who may be forged
		}
		// An asker on the list has the post itself: one mail about the
		// answer, not two.
		var got bool
		if err := a.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id
			WHERE d.post_slug = ? AND s.email_key = ? AND d.status IN ('sent', 'sending'))`, post.Slug, mailaddr.Key(question.FromAddr)).Scan(&got); err != nil {
			return told, fmt.Errorf("publish: notify askers: %w", err)
		}
		if got {
			continue
		}
		// Claimed first: a crash after this never mails twice.
		res, err := a.db.ExecContext(ctx, `INSERT INTO notifications (question_id, post_slug, sent) VALUES (?, ?, ?)
			ON CONFLICT (question_id) DO NOTHING`, id, post.Slug, a.now().UTC().Format(time.RFC3339))
		if err != nil {
			return told, fmt.Errorf("publish: notify askers: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			continue // told before
		}
		if err := a.notify(ctx, post, question); err != nil {
			_, _ = a.db.ExecContext(context.WithoutCancel(ctx), `DELETE FROM notifications WHERE question_id = ?`, id)
			return told, fmt.Errorf("publish: notify the asker of question %d: %w", id, err)
		}
		told++
	}
	return told, nil
}

// notify mails one asker.
func (a *Askers) notify(ctx context.Context, post *archive.Post, question *questions.Question) error {
	n := a.o.Newsletter
	m := automail.Mail{
		FromName: n.Title, FromAddr: n.Address, ToAddr: question.FromAddr,
		Subject:       a.o.Templates.Messages().T("notify_subject", post.Title),
		Domain:        n.Host(),
		AutoSubmitted: "auto-generated",
		Body:          a.o.Templates.Text("notify.txt"),
		Data:          notifyData{Newsletter: n.Title, Subject: strings.TrimPrefix(ackSubject(question.Subject), "Re: "), PostURL: n.URL(post)},
	}
	id, err := m.Send(ctx, a.o.Mailer)
	if err == nil {
		a.sentAbout(ctx, question.ID, id)
	}
	return err
}
