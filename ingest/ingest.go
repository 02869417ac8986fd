// Package ingest brings readers' questions in: it fetches new mail from an
// IMAP mailbox (RFC 9051, with go-imap v2), keeps every raw message, reads
// MIME (RFC 2045-2049, any charset) into a question's text with reply
// history and signatures stripped, sets aside what is not a question
// (auto-replies per RFC 3834, list mail, bounces, the newsletter's own
// mail), and keeps the question queue in the state database.
//
// Nothing is lost and nothing is stored twice: each raw message is written
// and synced before its question row, the row before the mailbox checkpoint
// (UIDVALIDITY and the last UID handled), and the checkpoint before the
// mailbox is told the message was handled. A run killed at any moment and
// run again refetches what was not checkpointed, and the message key
// (Message-ID, or a hash of the raw message) keeps it from being stored
// twice.
//
// The package knows nothing of posts or subscribers.
package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"mailbag/internal/atomicfile"
)

// Server says how to reach the mailbox questions arrive in.
type Server struct {
	Address  string // host:port
	Security string // "tls" (implicit TLS), "starttls" or "none"
	Username string
	Password string
	Mailbox  string
	// CAFile is a PEM file of certificates to trust besides the system's,
	// for a server with a self-signed certificate; "" for none.
	CAFile string
}

// After says what ingest does to a message in the mailbox once its
// question is stored.
type After string

// What can be done to a handled message.
const (
	AfterNone After = "none" // leave it (the checkpoint is enough)
	AfterSeen After = "seen" // set \Seen
	AfterMove After = "move" // move it to Options.MoveTo
)

// Options configures an Ingester.
type Options struct {
	Server Server
	// MailDir is where raw messages are kept (.mailbag/mail).
	MailDir string
	// OwnAddress is the newsletter's address: its own mail is not a question.
	OwnAddress string
	// MaxSize is the largest message fetched whole, in bytes; of a larger
	// one only the header is kept. 0 means 10 MB.
	MaxSize int64
	// After and MoveTo say what to do to handled messages; "" is AfterNone.
	After  After
	MoveTo string
	// Log receives progress and problems; nil discards them.
	Log *slog.Logger
	// Progress, when not nil, is called as messages are handled.
	Progress func(done, total int)
}

// Summary counts what a pass did.
type Summary struct {
	New        int // questions added to the queue
	Ignored    int // messages set aside as not questions
	Failed     int // messages that could not be read (kept raw)
	Duplicates int // messages already in the queue
}

// Add adds the counts of o to s.
func (s *Summary) Add(o Summary) {
	s.New += o.New
	s.Ignored += o.Ignored
	s.Failed += o.Failed
	s.Duplicates += o.Duplicates
}

// Ingester fetches questions from one mailbox into a Queue.
type Ingester struct {
	q    *Queue
	opts Options
	log  *slog.Logger
	// idleRestart is how long one IDLE of Watch lasts; tests shorten it.
	idleRestart time.Duration
}

// New returns an Ingester that stores into q.
func New(q *Queue, opts Options) *Ingester {
	if opts.MaxSize <= 0 {
		opts.MaxSize = 10 << 20
	}
	if opts.After == "" {
		opts.After = AfterNone
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Ingester{q: q, opts: opts, log: log, idleRestart: idleRestart}
}

// batchSize is how many messages are fetched, stored and checkpointed at a
// time.
const batchSize = 100

// Run connects, stores every message that arrived since the last run, and
// logs out.
func (in *Ingester) Run(ctx context.Context) (Summary, error) {
	c, err := in.dial(nil)
	if err != nil {
		return Summary{}, err
	}
	defer c.Close()
	stopOnCancel := context.AfterFunc(ctx, func() { c.Close() })
	defer stopOnCancel()
	sum, err := in.pass(ctx, c)
	if err != nil {
		if ctx.Err() != nil {
			return sum, ctx.Err()
		}
		return sum, err
	}
	if err := c.Logout().Wait(); err != nil {
		in.log.Debug("logout", "err", err)
	}
	return sum, nil
}

// pass selects the mailbox and stores what is new in it.
func (in *Ingester) pass(ctx context.Context, c *imapclient.Client) (Summary, error) {
	var sum Summary
	if err := in.q.readOldReports(ctx, in.opts.MailDir); err != nil {
		return sum, err
	}
	mailbox := in.opts.Server.Mailbox
	sel, err := c.Select(mailbox, &imap.SelectOptions{ReadOnly: in.opts.After == AfterNone}).Wait()
	if err != nil {
		return sum, fmt.Errorf("ingest: open mailbox %q: %w", mailbox, err)
	}
	validity, last, err := in.q.checkpoint(ctx, mailbox)
	if err != nil {
		return sum, err
	}
	if validity != 0 && validity != sel.UIDValidity {
		in.log.Warn("the mailbox's UIDVALIDITY changed: reading it all again; messages already stored are recognised and skipped",
			"mailbox", mailbox, "old", validity, "new", sel.UIDValidity)
		last = 0
	}
	if sel.NumMessages == 0 {
		return sum, nil
	}
	if in.opts.After == AfterMove {
		// Create the folder handled mail goes to; an error here most likely
		// means it exists, and MOVE will say if not.
		_ = c.Create(in.opts.MoveTo, nil).Wait()
	}
	news, err := in.listNew(c, imap.UID(last))
	if err != nil {
		return sum, err
	}
	for i := 0; i < len(news); i += batchSize {
		if err := ctx.Err(); err != nil {
			return sum, err
		}
		batch := news[i:min(i+batchSize, len(news))]
		s, err := in.storeBatch(ctx, c, sel.UIDValidity, batch)
		sum.Add(s)
		if err != nil {
			return sum, err
		}
		if in.opts.Progress != nil {
			in.opts.Progress(i+len(batch), len(news))
		}
	}
	return sum, nil
}

// listNew returns the UIDs and sizes of the messages after UID last, in
// UID order.
func (in *Ingester) listNew(c *imapclient.Client, last imap.UID) ([]*imapclient.FetchMessageBuffer, error) {
	set := imap.UIDSet{imap.UIDRange{Start: last + 1, Stop: 0}}
	msgs, err := c.Fetch(set, &imap.FetchOptions{UID: true, RFC822Size: true, InternalDate: true}).Collect()
	if err != nil {
		return nil, fmt.Errorf("ingest: list new messages: %w", err)
	}
	// "n:*" always includes the last message, even when its UID is below n.
	msgs = slices.DeleteFunc(msgs, func(m *imapclient.FetchMessageBuffer) bool { return m.UID <= last })
	slices.SortFunc(msgs, func(a, b *imapclient.FetchMessageBuffer) int { return int(a.UID) - int(b.UID) })
	return msgs, nil
}

// storeBatch fetches a batch of messages, keeps them raw, stores their
// questions with the checkpoint at the batch's last UID, then does the After
// action.
func (in *Ingester) storeBatch(ctx context.Context, c *imapclient.Client, validity uint32, batch []*imapclient.FetchMessageBuffer) (Summary, error) {
	var sum Summary
	raws, err := in.fetchBodies(c, batch)
	if err != nil {
		return sum, err
	}
	qs := make([]stored, 0, len(batch))
	for _, m := range batch {
		raw := raws[m.UID]
		tooLarge := m.RFC822Size > in.opts.MaxSize
		path, err := in.keepRaw(raw)
		if err != nil {
			return sum, err
		}
		qq := in.question(raw, tooLarge, m.RFC822Size)
		qq.RawPath = path
		switch {
		case !m.InternalDate.IsZero(): // when the server got it: more trustworthy than Date
			qq.Received = m.InternalDate
		case qq.Received.IsZero():
			qq.Received = in.q.now()
		}
		st := stored{Question: qq, mailbox: in.opts.Server.Mailbox, uidValidity: validity, uid: uint32(m.UID)}
		st.recipients = reportRecipients(qq, raw) // read once, here: publish reads the table
		qs = append(qs, st)
	}
	last := batch[len(batch)-1].UID
	added, err := in.q.add(ctx, qs, in.opts.Server.Mailbox, validity, uint32(last))
	if err != nil {
		return sum, err
	}
	for i, s := range qs {
		switch {
		case !added[i]:
			sum.Duplicates++
		case s.Kind == KindUnreadable:
			sum.Failed++
			in.log.Warn("message kept raw, unreadable", "uid", s.uid, "raw", s.RawPath, "reason", s.Reason)
		case s.Status == StatusIgnored:
			sum.Ignored++
			in.log.Debug("not a question", "uid", s.uid, "kind", s.Kind, "reason", s.Reason)
		default:
			sum.New++
		}
	}
	return sum, in.after(c, batch)
}

// fetchBodies fetches the raw messages of a batch: whole, or only the
// header of those over the size limit. The messages are not marked seen.
func (in *Ingester) fetchBodies(c *imapclient.Client, batch []*imapclient.FetchMessageBuffer) (map[imap.UID][]byte, error) {
	var whole, headerOnly imap.UIDSet
	for _, m := range batch {
		if m.RFC822Size > in.opts.MaxSize {
			headerOnly.AddNum(m.UID)
		} else {
			whole.AddNum(m.UID)
		}
	}
	raws := make(map[imap.UID][]byte, len(batch))
	for _, f := range []struct {
		set     imap.UIDSet
		section *imap.FetchItemBodySection
	}{
		{whole, &imap.FetchItemBodySection{Peek: true}},
		{headerOnly, &imap.FetchItemBodySection{Specifier: imap.PartSpecifierHeader, Peek: true}},
	} {
		if len(f.set) == 0 {
			continue
		}
		cmd := c.Fetch(f.set, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{f.section}})
		for {
			msg := cmd.Next()
			if msg == nil {
				break
			}
			buf, err := msg.Collect()
			if err != nil {
				cmd.Close()
				return nil, fmt.Errorf("ingest: fetch messages: %w", err)
			}
			raws[buf.UID] = buf.FindBodySection(f.section)
		}
		if err := cmd.Close(); err != nil {
			return nil, fmt.Errorf("ingest: fetch messages: %w", err)
		}
	}
	for _, m := range batch {
		if _, ok := raws[m.UID]; !ok {
			return nil, fmt.Errorf("ingest: fetch messages: the server sent nothing for UID %d", m.UID)
		}
	}
	return raws, nil
}

// keepRaw writes a raw message under MailDir, named by its hash, synced to
// disk, and returns its path relative to MailDir. A message already kept is
// not written again.
func (in *Ingester) keepRaw(raw []byte) (string, error) {
	sum := sha256.Sum256(raw)
	name := hex.EncodeToString(sum[:])
	rel := filepath.Join(name[:2], name+".eml")
	path := filepath.Join(in.opts.MailDir, rel)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", fmt.Errorf("ingest: keep raw message: %w", err)
	}
	if err := atomicfile.Create(path, raw, 0o600); err != nil && !errors.Is(err, fs.ErrExist) {
		return "", fmt.Errorf("ingest: keep raw message: %w", err)
	}
	return rel, nil
}

// question reads a raw message into a question, or an ignored entry with
// its reason.
func (in *Ingester) question(raw []byte, tooLarge bool, size int64) Question {
	m, err := ParseMessage(raw)
	if err != nil {
		return Question{Status: StatusIgnored, Kind: KindUnreadable, Reason: err.Error(), MessageKey: contentKey(raw)}
	}
	q := Question{
		Status:     StatusNew,
		MessageKey: m.Key,
		Subject:    CleanSubject(m.Subject),
		FromName:   m.FromName,
		FromAddr:   m.FromAddr,
		Received:   m.Date,
		Text:       CleanText(m.Text),
	}
	kind, reason := Classify(m, in.opts.OwnAddress)
	if tooLarge && (kind == "" || kind == KindNoText) {
		kind = KindTooLarge
		reason = fmt.Sprintf("%.1f MB, over the limit of %.1f MB: only the header was kept", float64(size)/(1<<20), float64(in.opts.MaxSize)/(1<<20))
	}
	if kind != "" {
		q.Status, q.Kind, q.Reason = StatusIgnored, kind, reason
	}
	return q
}

// after marks or moves the handled messages of a batch, as the options say.
func (in *Ingester) after(c *imapclient.Client, batch []*imapclient.FetchMessageBuffer) error {
	var set imap.UIDSet
	for _, m := range batch {
		set.AddNum(m.UID)
	}
	switch in.opts.After {
	case AfterSeen:
		store := &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagSeen}}
		if err := c.Store(set, store, nil).Close(); err != nil {
			return fmt.Errorf("ingest: mark messages seen: %w", err)
		}
	case AfterMove:
		if _, err := c.Move(set, in.opts.MoveTo).Wait(); err != nil {
			return fmt.Errorf("ingest: move messages to %q: %w", in.opts.MoveTo, err)
		}
	}
	return nil
}
