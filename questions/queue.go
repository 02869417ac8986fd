// Package questions is the question store: the questions readers sent,
// their follow-ups and status, and apart from them, numbered apart, the
// mail that is not a question (auto-replies, list mail, bounces,
// complaints, unsubscribe requests), in the state database's tables it
// owns. ingest writes it (Add, with the mailbox's checkpoint in the same
// transaction); publish, the inbox and the commands read it and move
// questions from status to status.
//
// Its migrations are recorded under the name "ingest" in schema_versions,
// the package that owned these tables before: homes made by older
// versions upgrade in place.
package questions

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"mailbag/internal/mailaddr"
	"mailbag/internal/sqlitedb"
)

//go:embed schema*.sql
var schemaFiles embed.FS

// migrations are the schema versions, in order.
var migrations = sqlitedb.Versions(schemaFiles)

// Status is where a question stands.
type Status string

// The statuses of a question.
const (
	StatusNew      Status = "new"      // waiting for an answer
	StatusAnswered Status = "answered" // a published post answers it
	StatusRejected Status = "rejected" // set aside by the author
	StatusIgnored  Status = "ignored"  // not a question: Kind says why; kept apart, numbered apart
)

// Kind says why a message is not a question.
type Kind string

// The kinds of ignored message.
const (
	KindAutoReply   Kind = "auto-reply"  // Auto-Submitted, X-Autoreply, Precedence: bulk or junk
	KindList        Kind = "list"        // mail from a mailing list
	KindBounce      Kind = "bounce"      // a delivery report: kept for bounce handling
	KindComplaint   Kind = "complaint"   // an abuse (feedback) report: its recipient complained
	KindUnsubscribe Kind = "unsubscribe" // a mail to List-Unsubscribe's mailto: its sender leaves
	KindOwn         Kind = "own"         // sent from the newsletter's own address
	KindTooLarge    Kind = "too-large"   // over the size limit: only the header was fetched
	KindNoText      Kind = "no-text"     // nothing readable in it
	KindUnreadable  Kind = "unreadable"  // cannot be parsed at all; kept raw
	KindFollowUp    Kind = "follow-up"   // the asker's reply about a question: Thread is the question
)

// Question is one entry of the queue: a question, or (StatusIgnored) a
// message that is not one, kept apart with its own numbers.
type Question struct {
	// ID is the question's number; for other mail (StatusIgnored) its
	// number among other mail, which the commands show as m<ID>.
	ID       int64
	Status   Status
	Kind     Kind   // for StatusIgnored
	Reason   string // why ignored or rejected, in words
	Received time.Time
	Subject  string
	Text     string
	// FromName and FromAddr are the asker's: private, for the author's
	// eyes only, never in a draft, a post or the site.
	FromName string
	FromAddr string
	// RawPath is the file the raw message is kept in, relative to the
	// mail folder: the mbox of the day it came in, where it starts at
	// RawOffset and takes RawSize bytes (RawOffset is -1 when the file is
	// the message alone, as older versions kept them). ingest.ReadRaw reads
	// it.
	RawPath   string
	RawOffset int64
	RawSize   int64
	// MessageKey is the Message-ID, or a hash of the raw message.
	MessageKey string
	// AnswerSlug is the slug of the post that answers the question, once
	// published.
	AnswerSlug string
	// Thread is the question a follow-up follows up (KindFollowUp); 0 for
	// any other.
	Thread int64
	// FollowUps is how many follow-ups a question has (List and Get count
	// them).
	FollowUps int
	// NoAutoReply says why no automatic reply (an acknowledgement) may go
	// to the asker, following RFC 3834: a null Return-Path, Precedence
	// bulk, list or junk, Auto-Submitted, a list header; "" when one may.
	NoAutoReply string
	// Attachments are the files the message came with, as listed in it;
	// the files themselves stay in the raw message.
	Attachments []Attachment
	// TextMore is how many bytes of the text were left out (Previews).
	TextMore int64
	textSize int64
	// Authenticated says what proved the sender's address, from the
	// receiving server's Authentication-Results (RFC 8601): "dmarc=pass
	// (mx.example.org)"; "" when nothing did. Automatic replies go only to
	// authenticated senders.
	Authenticated string
}

// Attachment is a file a message came with: its name as the sender gave
// it (anyone's words: shown with care, never used as a path), its media
// type and size in bytes, decoded.
type Attachment struct {
	Name string `json:"name"`
	Type string `json:"type"`
	Size int64  `json:"size"`
}

// Sender returns the asker as "Name <address>", or whichever of the two there
// is: for the author's eyes only.
func (q *Question) Sender() string {
	switch {
	case q.FromName != "" && q.FromAddr != "":
		return q.FromName + " <" + q.FromAddr + ">"
	case q.FromAddr != "":
		return q.FromAddr
	}
	return q.FromName
}

// ErrNoQuestion means there is no question with the ID asked for.
var ErrNoQuestion = errors.New("questions: no such question")

// errStatus means a question's status does not allow what was asked: a
// rejected question cannot be answered before it is reopened, say.
var errStatus = errors.New("questions: wrong status")

// Queue is the question queue in the state database.
type Queue struct {
	db  *sql.DB
	now func() time.Time
}

// Now returns the queue's clock: the time it stamps what it stores with.
func (q *Queue) Now() time.Time { return q.now() }

// NewQueue returns the queue kept in db, creating or upgrading its tables.
// now is the clock (nil means time.Now).
func NewQueue(ctx context.Context, db *sql.DB, now func() time.Time) (*Queue, error) {
	if err := sqlitedb.Migrate(ctx, db, "ingest", migrations); err != nil {
		return nil, err
	}
	if now == nil {
		now = time.Now
	}
	return &Queue{db: db, now: now}, nil
}

// Incoming is a message on its way into the store: its question, where
// it came from and, for a report, what the report says.
type Incoming struct {
	Question
	Mailbox     string
	UIDValidity uint32
	UID         uint32
	Report      Report // what a report says
	// Refs are the Message-IDs the message replies to (In-Reply-To,
	// References): where one is the asker's question, or mail sent about
	// it, the message follows it up.
	Refs []string
}

// Add stores questions and moves the mailbox's checkpoint to lastUID, in one
// transaction. A message whose key is already stored is not stored again.
// It reports which of qs were new. When unfinished is true, the messages'
// UIDs are recorded as not yet flagged or moved (see Queue.Unfinished), in
// the same transaction. A new question that replies to one of the asker's
// questions, or to mail sent about it, is stored as its follow-up (qs is
// changed to say so). Questions take question numbers; other mail is kept
// apart and numbered apart.
func (q *Queue) Add(ctx context.Context, qs []Incoming, mailbox string, uidValidity, lastUID uint32, unfinished bool) ([]bool, error) {
	tx, err := q.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("questions: store questions: %w", err)
	}
	defer tx.Rollback()
	created := q.now().UTC().Format(time.RFC3339)
	added := make([]bool, len(qs))
	for i := range qs {
		s := &qs[i] // a follow-up is told so here, for the caller's count too
		if known, err := stored(ctx, tx, s.MessageKey); err != nil || known {
			if err != nil {
				return nil, fmt.Errorf("questions: store question %s: %w", s.MessageKey, err)
			}
			continue
		}
		if s.Status == StatusNew && len(s.Refs) > 0 {
			root, open, err := followed(ctx, tx, s.Refs, s.FromAddr)
			if err != nil {
				return nil, fmt.Errorf("questions: store question %s: %w", s.MessageKey, err)
			}
			switch {
			case root == 0:
			case open:
				s.Status, s.Kind, s.Reason, s.Thread = StatusIgnored, KindFollowUp, fmt.Sprintf("follows up question %d", root), root
			default: // answered or set aside: a question again, with its thread
				s.Thread = root
			}
		}
		id, err := insert(ctx, tx, s, created)
		if err != nil {
			return nil, fmt.Errorf("questions: store question %s: %w", s.MessageKey, err)
		}
		s.ID, added[i] = id, true
		if isReport(s.Kind) {
			if err := recordReport(ctx, tx, id, s.Report); err != nil {
				return nil, err
			}
		}
	}
	if unfinished {
		for _, s := range qs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO unfinished (mailbox, uidvalidity, uid) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
				mailbox, uidValidity, s.UID); err != nil {
				return nil, fmt.Errorf("questions: store questions: %w", err)
			}
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO checkpoints (mailbox, uidvalidity, last_uid) VALUES (?, ?, ?)
		ON CONFLICT (mailbox) DO UPDATE SET uidvalidity = excluded.uidvalidity, last_uid = excluded.last_uid`,
		mailbox, uidValidity, lastUID); err != nil {
		return nil, fmt.Errorf("questions: save checkpoint: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("questions: store questions: %w", err)
	}
	return added, nil
}

// stored reports whether a message with key is stored, as a question or
// as other mail.
func stored(ctx context.Context, tx *sql.Tx, key string) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM questions WHERE message_key = ?) +
		(SELECT count(*) FROM other_mail WHERE message_key = ?)`, key, key).Scan(&n)
	return n > 0, err
}

// insert stores s, a question in questions and anything else in
// other_mail, and returns its number there. The first column says what it
// is: a question's status, or other mail's kind.
func insert(ctx context.Context, tx *sql.Tx, s *Incoming, created string) (int64, error) {
	table, first := "questions", "status"
	firstValue := any(s.Status)
	if s.Status == StatusIgnored {
		table, first, firstValue = "other_mail", "kind", any(s.Kind)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO `+table+` (`+first+`, message_key, reason, received, subject, body, from_name, from_addr,
		 raw_path, raw_offset, raw_size, mailbox, uidvalidity, uid, created, no_auto_reply, thread, authenticated, attachments)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		firstValue, s.MessageKey, s.Reason, s.Received.UTC().Format(time.RFC3339), s.Subject, s.Text,
		s.FromName, s.FromAddr, s.RawPath, s.RawOffset, s.RawSize, s.Mailbox, s.UIDValidity, s.UID, created, s.NoAutoReply, s.Thread, s.Authenticated,
		attachmentsJSON(s.Attachments))
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// MaxRefs bounds how many of a message's references are looked up: the
// last ones, nearest to it.
const MaxRefs = 20

// followed returns the question that mail from addr replying to refs (its
// Message-IDs) follows up: the asker's question whose Message-ID is among
// them, or whose follow-up's is, or about which the newsletter sent one of
// them; 0 for none. open says whether it is still waiting for its answer
// (new): a reply to a question answered or set aside is a question again.
func followed(ctx context.Context, tx *sql.Tx, refs []string, addr string) (root int64, open bool, err error) {
	if addr == "" {
		return 0, false, nil
	}
	refs = refs[max(0, len(refs)-MaxRefs):]
	in := "?" + strings.Repeat(", ?", len(refs)-1)
	args := []any{mailaddr.Key(addr)}
	for range 3 {
		for _, r := range refs {
			args = append(args, r)
		}
	}
	var status Status
	err = tx.QueryRowContext(ctx, `SELECT id, status FROM questions
		WHERE lower(from_addr) = ? AND (
			id IN (SELECT question_id FROM sent_about WHERE message_id IN (`+in+`))
			OR message_key IN (`+in+`)
			OR id IN (SELECT thread FROM other_mail WHERE kind = 'follow-up' AND message_key IN (`+in+`)))
		ORDER BY id DESC LIMIT 1`, args...).Scan(&root, &status)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	return root, status == StatusNew, err
}

// SentAbout records that the newsletter sent mail with messageID (no
// angle brackets) about question id, so that a reply to it follows the
// question up.
func (q *Queue) SentAbout(ctx context.Context, id int64, messageID string) error {
	if _, err := q.db.ExecContext(ctx, `INSERT INTO sent_about (message_id, question_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, messageID, id); err != nil {
		return fmt.Errorf("questions: record mail sent about question %d: %w", id, err)
	}
	return nil
}

// Thread returns the questions ids, each followed by its follow-ups, oldest
// first: what a draft answering them quotes.
func (q *Queue) Thread(ctx context.Context, ids []int64) ([]*Question, error) {
	var out []*Question
	for _, id := range ids {
		question, err := q.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		follow, err := q.FollowUps(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(append(out, question), follow...)
	}
	return out, nil
}

// FollowUps returns the follow-ups of question id, oldest first: the
// asker's replies kept with it, and the questions asked again in reply to
// it once it was answered or set aside.
func (q *Queue) FollowUps(ctx context.Context, id int64) ([]*Question, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT `+otherColumns+` FROM other_mail WHERE kind = 'follow-up' AND thread = ?
		UNION ALL SELECT `+questionColumns+` FROM questions WHERE thread = ? ORDER BY received, id`, id, id)
	if err != nil {
		return nil, fmt.Errorf("questions: follow-ups of question %d: %w", id, err)
	}
	defer rows.Close()
	var out []*Question
	for rows.Next() {
		question, err := scanQuestion(rows)
		if err != nil {
			return nil, fmt.Errorf("questions: follow-ups of question %d: %w", id, err)
		}
		out = append(out, question)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("questions: follow-ups of question %d: %w", id, err)
	}
	return out, nil
}

// Known returns which of keys (message keys) the queue holds messages of.
func (q *Queue) Known(ctx context.Context, keys []string) (map[string]bool, error) {
	out := make(map[string]bool, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	args := make([]any, len(keys))
	for i, k := range keys {
		args[i] = k
	}
	in := "?" + strings.Repeat(", ?", len(keys)-1)
	rows, err := q.db.QueryContext(ctx, `SELECT message_key FROM questions WHERE message_key IN (`+in+`)
		UNION ALL SELECT message_key FROM other_mail WHERE message_key IN (`+in+`)`, append(args, args...)...)
	if err != nil {
		return nil, fmt.Errorf("questions: look up messages: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, fmt.Errorf("questions: look up messages: %w", err)
		}
		out[k] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("questions: look up messages: %w", err)
	}
	return out, nil
}

// Checkpoint returns how far ingest has got in mailbox: its UIDVALIDITY
// and the last UID stored; zeros when it has not started.
func (q *Queue) Checkpoint(ctx context.Context, mailbox string) (uidValidity, lastUID uint32, err error) {
	err = q.db.QueryRowContext(ctx, `SELECT uidvalidity, last_uid FROM checkpoints WHERE mailbox = ?`, mailbox).
		Scan(&uidValidity, &lastUID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, fmt.Errorf("questions: read checkpoint: %w", err)
	}
	return uidValidity, lastUID, nil
}

// questionColumns and otherColumns are what scanQuestion reads, of a
// question and of other mail.
const (
	questionColumns = `id, status, '', reason, received, subject, body, from_name, from_addr, raw_path, raw_offset, raw_size, message_key, answer_slug, no_auto_reply,
	thread, (SELECT count(*) FROM other_mail f WHERE f.kind = 'follow-up' AND f.thread = questions.id) +
		(SELECT count(*) FROM questions f WHERE f.thread = questions.id), '', authenticated, attachments`
	otherColumns = `id, 'ignored', kind, reason, received, subject, body, from_name, from_addr, raw_path, raw_offset, raw_size, message_key, '', no_auto_reply,
	thread, 0, report_note, authenticated, attachments`
)

// scanQuestion reads a row of questionColumns, and of the text's size
// after them when the row has it (Previews).
func scanQuestion(row interface {
	Scan(...any) error
}) (*Question, error) {
	var question Question
	var received, note, attachments string
	dest := []any{&question.ID, &question.Status, &question.Kind, &question.Reason, &received, &question.Subject, &question.Text,
		&question.FromName, &question.FromAddr, &question.RawPath, &question.RawOffset, &question.RawSize, &question.MessageKey, &question.AnswerSlug, &question.NoAutoReply,
		&question.Thread, &question.FollowUps, &note, &question.Authenticated, &attachments}
	if r, ok := row.(*sql.Rows); ok {
		if cols, _ := r.Columns(); len(cols) > len(dest) {
			dest = append(dest, &question.textSize)
		}
	}
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	question.Reason = withNote(question.Reason, note)
	if attachments != "" {
		_ = json.Unmarshal([]byte(attachments), &question.Attachments) // written by attachmentsJSON
	}
	question.Received, _ = time.Parse(time.RFC3339, received)
	return &question, nil
}

// List returns the questions with status, oldest first: other mail for
// StatusIgnored, everything when status is "".
func (q *Queue) List(ctx context.Context, status Status) ([]*Question, error) {
	return q.list(ctx, status, questionColumns, otherColumns)
}

// Previews returns what List does with at most limit bytes of each
// question's text, cut at a character's start; TextMore says how many
// bytes were left out. What a screen of many questions shows costs the
// same whatever a reader sent.
func (q *Queue) Previews(ctx context.Context, status Status, limit int) ([]*Question, error) {
	cut := func(cols string) string {
		return strings.Replace(cols, "body,", fmt.Sprintf("substr(CAST(body AS BLOB), 1, %d),", limit+utf8.UTFMax), 1) +
			`, length(CAST(body AS BLOB))`
	}
	qs, err := q.list(ctx, status, cut(questionColumns), cut(otherColumns))
	for _, question := range qs {
		question.Text = cutText(question.Text, limit)
		question.TextMore = question.textSize - int64(len(question.Text))
	}
	return qs, err
}

// cutText returns at most limit bytes of s, ending where a character
// ends.
func cutText(s string, limit int) string {
	if len(s) <= limit {
		return strings.ToValidUTF8(s, "")
	}
	s = s[:limit]
	for len(s) > 0 {
		if r, size := utf8.DecodeLastRuneInString(s); r != utf8.RuneError || size > 1 {
			break
		}
		s = s[:len(s)-1] // a character's start, cut from its end
	}
	return s
}

// list returns the questions with status, oldest first, reading cols of
// questions and other of other mail.
func (q *Queue) list(ctx context.Context, status Status, cols, other string) ([]*Question, error) {
	var query string
	var args []any
	switch status {
	case "":
		query = `SELECT ` + cols + ` FROM questions UNION ALL SELECT ` + other + ` FROM other_mail ORDER BY received, id`
	case StatusIgnored:
		query = `SELECT ` + other + ` FROM other_mail ORDER BY received, id`
	default:
		query = `SELECT ` + cols + ` FROM questions WHERE status = ? ORDER BY received, id`
		args = append(args, status)
	}
	rows, err := q.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("questions: list questions: %w", err)
	}
	defer rows.Close()
	var out []*Question
	for rows.Next() {
		question, err := scanQuestion(rows)
		if err != nil {
			return nil, fmt.Errorf("questions: list questions: %w", err)
		}
		out = append(out, question)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("questions: list questions: %w", err)
	}
	return out, nil
}

// Get returns the question with id; the error wraps ErrNoQuestion when
// there is none.
func (q *Queue) Get(ctx context.Context, id int64) (*Question, error) {
	question, err := scanQuestion(q.db.QueryRowContext(ctx, `SELECT `+questionColumns+` FROM questions WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: %d", ErrNoQuestion, id)
	}
	if err != nil {
		return nil, fmt.Errorf("questions: question %d: %w", id, err)
	}
	return question, nil
}

// Other returns other mail number id (StatusIgnored, see Question.ID); the
// error wraps ErrNoQuestion when there is none.
func (q *Queue) Other(ctx context.Context, id int64) (*Question, error) {
	m, err := scanQuestion(q.db.QueryRowContext(ctx, `SELECT `+otherColumns+` FROM other_mail WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: m%d", ErrNoQuestion, id)
	}
	if err != nil {
		return nil, fmt.Errorf("questions: other mail m%d: %w", id, err)
	}
	return m, nil
}

// transition moves question id from one of the statuses from to status to,
// setting reason and answer slug; the error wraps ErrNoQuestion or errStatus.
func (q *Queue) transition(ctx context.Context, id int64, from []Status, to Status, reason, slug string) error {
	tx, err := q.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("questions: question %d: %w", id, err)
	}
	defer tx.Rollback()
	var status Status
	err = tx.QueryRowContext(ctx, `SELECT status FROM questions WHERE id = ?`, id).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: %d", ErrNoQuestion, id)
	}
	if err != nil {
		return fmt.Errorf("questions: question %d: %w", id, err)
	}
	if status == to && to == StatusAnswered {
		// Publishing again after a crash: already done.
	} else if !slices.Contains(from, status) {
		return fmt.Errorf("%w: question %d is %s, not %s", errStatus, id, status, joinStatuses(from))
	}
	if _, err := tx.ExecContext(ctx, `UPDATE questions SET status = ?, kind = '', reason = ?, answer_slug = ? WHERE id = ?`,
		to, reason, slug, id); err != nil {
		return fmt.Errorf("questions: question %d: %w", id, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("questions: question %d: %w", id, err)
	}
	return nil
}

func joinStatuses(ss []Status) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = string(s)
	}
	return strings.Join(parts, " or ")
}

// Reject sets a new question aside, with an optional reason. The error
// wraps ErrNoQuestion, or says the question is not new.
func (q *Queue) Reject(ctx context.Context, id int64, reason string) error {
	return q.transition(ctx, id, []Status{StatusNew}, StatusRejected, reason, "")
}

// Reopen puts a rejected question back among the new ones. The error
// wraps ErrNoQuestion, or says the question is new or answered.
func (q *Queue) Reopen(ctx context.Context, id int64) error {
	return q.transition(ctx, id, []Status{StatusRejected}, StatusNew, "", "")
}

// ReopenOther makes other mail number id a new question, and returns the
// question's number: mail taken for an auto-reply, say, that a reader
// wrote. What was kept of it as a report goes. The error wraps
// ErrNoQuestion when there is no such mail.
func (q *Queue) ReopenOther(ctx context.Context, id int64) (int64, error) {
	tx, err := q.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("questions: reopen m%d: %w", id, err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `INSERT INTO questions (status, message_key, reason, received, subject, body, from_name, from_addr,
		 raw_path, raw_offset, raw_size, mailbox, uidvalidity, uid, created, no_auto_reply, thread, authenticated, attachments)
		SELECT 'new', message_key, '', received, subject, body, from_name, from_addr,
		 raw_path, raw_offset, raw_size, mailbox, uidvalidity, uid, created, no_auto_reply, thread, authenticated, attachments
		FROM other_mail WHERE id = ?`, id)
	if err != nil {
		return 0, fmt.Errorf("questions: reopen m%d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		if err == nil {
			err = fmt.Errorf("%w: m%d", ErrNoQuestion, id)
		}
		return 0, err
	}
	number, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("questions: reopen m%d: %w", id, err)
	}
	for _, del := range []string{`DELETE FROM report_recipients WHERE mail_id = ?`, `DELETE FROM report_refs WHERE mail_id = ?`, `DELETE FROM other_mail WHERE id = ?`} {
		if _, err := tx.ExecContext(ctx, del, id); err != nil {
			return 0, fmt.Errorf("questions: reopen m%d: %w", id, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("questions: reopen m%d: %w", id, err)
	}
	return number, nil
}

// MarkAnswered records that the post slug answers question id. Marking a
// question answered again does nothing worse than record slug again. The
// error wraps ErrNoQuestion, or says the question is not new.
func (q *Queue) MarkAnswered(ctx context.Context, id int64, slug string) error {
	return q.transition(ctx, id, []Status{StatusNew}, StatusAnswered, "", slug)
}

// Unfinished returns the UIDs of mailbox's handled messages that are not yet
// flagged or moved, in UID order, forgetting those of another UIDVALIDITY.
func (q *Queue) Unfinished(ctx context.Context, mailbox string, validity uint32) ([]uint32, error) {
	if _, err := q.db.ExecContext(ctx, `DELETE FROM unfinished WHERE mailbox = ? AND uidvalidity != ?`, mailbox, validity); err != nil {
		return nil, fmt.Errorf("questions: read unfinished messages: %w", err)
	}
	rows, err := q.db.QueryContext(ctx, `SELECT uid FROM unfinished WHERE mailbox = ? AND uidvalidity = ? ORDER BY uid`, mailbox, validity)
	if err != nil {
		return nil, fmt.Errorf("questions: read unfinished messages: %w", err)
	}
	defer rows.Close()
	var out []uint32
	for rows.Next() {
		var uid uint32
		if err := rows.Scan(&uid); err != nil {
			return nil, fmt.Errorf("questions: read unfinished messages: %w", err)
		}
		out = append(out, uid)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("questions: read unfinished messages: %w", err)
	}
	return out, nil
}

// Finished forgets uids of mailbox as unfinished: the server flagged or
// moved them.
func (q *Queue) Finished(ctx context.Context, mailbox string, validity uint32, uids []uint32) error {
	tx, err := q.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("questions: record finished messages: %w", err)
	}
	defer tx.Rollback()
	for _, uid := range uids {
		if _, err := tx.ExecContext(ctx, `DELETE FROM unfinished WHERE mailbox = ? AND uidvalidity = ? AND uid = ?`, mailbox, validity, uid); err != nil {
			return fmt.Errorf("questions: record finished messages: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("questions: record finished messages: %w", err)
	}
	return nil
}

// ForgetUnfinished forgets every unfinished message of mailbox: it is
// empty, so none is left to flag or move.
func (q *Queue) ForgetUnfinished(ctx context.Context, mailbox string) error {
	if _, err := q.db.ExecContext(ctx, `DELETE FROM unfinished WHERE mailbox = ?`, mailbox); err != nil {
		return fmt.Errorf("questions: forget unfinished messages: %w", err)
	}
	return nil
}

// StartAgain records that mailbox, now of UIDVALIDITY validity, is read
// from its start: its checkpoint is validity and no UID, and no message of
// it is left to flag or move. ingest calls it when the mailbox is empty.
func (q *Queue) StartAgain(ctx context.Context, mailbox string, validity uint32) error {
	tx, err := q.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("questions: reset checkpoint: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM unfinished WHERE mailbox = ?`, mailbox); err != nil {
		return fmt.Errorf("questions: reset checkpoint: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO checkpoints (mailbox, uidvalidity, last_uid) VALUES (?, ?, 0)
		ON CONFLICT (mailbox) DO UPDATE SET uidvalidity = excluded.uidvalidity, last_uid = 0`, mailbox, validity); err != nil {
		return fmt.Errorf("questions: reset checkpoint: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("questions: reset checkpoint: %w", err)
	}
	return nil
}

// attachmentsJSON returns the attachments as as stored: "" for none.
func attachmentsJSON(as []Attachment) string {
	if len(as) == 0 {
		return ""
	}
	b, _ := json.Marshal(as)
	return string(b)
}
