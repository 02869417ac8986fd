// Package ingest brings readers' questions in: it fetches new mail from an
// IMAP mailbox (RFC 9051, with go-imap v2), keeps every raw message in an
// mbox per day, has each read into a question or other mail (package
// ingest/mailmsg), stores it all in the question store (package
// questions), and then tells the mailbox (seen, or moved) without ever
// deleting mail that was not copied.
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
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"mailbag/ingest/mailmsg"
	"mailbag/internal/parallel"
	"mailbag/questions"
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
	// AuthservIDs are the authserv-ids (RFC 8601) of the receiving
	// server, whose Authentication-Results are believed
	// (Question.Authenticated); none believes nothing.
	AuthservIDs []string
	// Log receives progress and problems; nil discards them.
	Log *slog.Logger
	// Progress, when not nil, is called as messages are handled.
	Progress func(done, total int)
}

// Summary counts what a pass did.
type Summary struct {
	New        int // questions added to the queue
	FollowUps  int // askers' replies that joined their questions
	Ignored    int // messages set aside as not questions
	Failed     int // messages that could not be read (kept raw)
	Duplicates int // messages already in the queue
}

// Add adds the counts of o to s.
func (s *Summary) Add(o Summary) {
	s.New += o.New
	s.FollowUps += o.FollowUps
	s.Ignored += o.Ignored
	s.Failed += o.Failed
	s.Duplicates += o.Duplicates
}

// Ingester fetches questions from one mailbox into a Queue.
type Ingester struct {
	q    *questions.Queue
	opts Options
	log  *slog.Logger
	// idleRestart is how long one IDLE of Watch lasts; tests shorten it.
	idleRestart time.Duration

	mu             sync.Mutex
	held, peakHeld int64    // bytes of mail held now, and at most
	bye            *byeLine // what the server of the connection last said as it closed, under mu

	warnNoUIDPlus sync.Once // the server cannot expunge by UID: said once
}

// New returns an Ingester that stores into q.
func New(q *questions.Queue, opts Options) *Ingester {
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

// A batch is fetched, read, kept, stored and checkpointed at once. It
// holds at most batchMessages messages and batchBytes bytes of them (or one
// larger message, of at most config.MaxMessageMB). Three batches are held
// at a time: one fetched, one read, one stored; so ingest holds at most 48
// MB of mail whatever the messages' sizes.
const (
	batchMessages  = 500
	batchBytes     = 16 << 20
	headerEstimate = 64 << 10 // the bytes counted for a message of which only the header is fetched
)

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
		return sum, in.withServerWords(err)
	}
	if err := c.Logout().Wait(); err != nil {
		in.log.Debug("logout", "err", err)
	}
	return sum, nil
}

// pass selects the mailbox and stores what is new in it.
func (in *Ingester) pass(ctx context.Context, c *imapclient.Client) (Summary, error) {
	var sum Summary
	if err := readOldReports(ctx, in.q, in.opts.MailDir); err != nil {
		return sum, err
	}
	mailbox := in.opts.Server.Mailbox
	sel, err := c.Select(mailbox, &imap.SelectOptions{ReadOnly: in.opts.After == AfterNone}).Wait()
	if err != nil {
		return sum, fmt.Errorf("ingest: open mailbox %q: %w", mailbox, err)
	}
	validity, last, err := in.q.Checkpoint(ctx, mailbox)
	if err != nil {
		return sum, err
	}
	if validity != 0 && validity != sel.UIDValidity {
		in.log.Warn("the mailbox's UIDVALIDITY changed: reading it all again; messages already stored are recognised and skipped",
			"mailbox", mailbox, "old", validity, "new", sel.UIDValidity)
		last = 0
	}
	if sel.NumMessages == 0 {
		if validity != sel.UIDValidity { // said once: the new one is recorded
			return sum, in.q.StartAgain(ctx, mailbox, sel.UIDValidity)
		}
		return sum, in.q.ForgetUnfinished(ctx, mailbox)
	}
	if in.opts.After == AfterMove {
		// Create the folder handled mail goes to; an error here most likely
		// means it exists, and the copy or move will say if not.
		_ = c.Create(in.opts.MoveTo, nil).Wait()
	}
	if err := in.finishUnfinished(ctx, c, mailbox, sel.UIDValidity); err != nil {
		return sum, err
	}
	news, err := in.listNew(c, imap.UID(last))
	if err != nil {
		return sum, err
	}
	return in.storeAll(ctx, c, sel.UIDValidity, news)
}

// fetched is a batch with its raw messages, by UID, and once read, its
// questions.
type fetched struct {
	batch []*imapclient.FetchMessageBuffer
	raws  map[imap.UID][]byte
	bytes int64
	qs    []questions.Incoming
}

// storeAll fetches the messages news in batches, reads them and stores
// them, each batch in turn, the three at once: while one batch is stored,
// the next is read on every core and the one after it fetched.
func (in *Ingester) storeAll(ctx context.Context, c *imapclient.Client, validity uint32, news []*imapclient.FetchMessageBuffer) (Summary, error) {
	var sum Summary
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }()
	var fetchErr error
	fetchedBatches, readBatches := make(chan fetched), make(chan fetched)
	wg.Go(func() {
		defer close(fetchedBatches)
		for _, batch := range in.batches(news) {
			raws, err := in.fetchBodies(c, batch)
			if err != nil {
				fetchErr = err // read once readBatches is closed
				return
			}
			f := fetched{batch: batch, raws: raws, bytes: in.weigh(batch)}
			in.inFlight(f.bytes)
			select {
			case fetchedBatches <- f:
			case <-ctx.Done():
				return
			}
		}
	})
	wg.Go(func() {
		defer close(readBatches)
		for f := range fetchedBatches {
			f.qs = in.read(f, validity)
			select {
			case readBatches <- f:
			case <-ctx.Done():
				return
			}
		}
	})
	done := 0
	for f := range readBatches {
		s, err := in.storeBatch(ctx, c, validity, f)
		in.inFlight(-f.bytes)
		sum.Add(s)
		if err != nil {
			return sum, err
		}
		done += len(f.batch)
		if in.opts.Progress != nil {
			in.opts.Progress(done, len(news))
		}
	}
	if fetchErr != nil {
		return sum, fetchErr
	}
	return sum, ctx.Err()
}

// batches cuts news into batches of at most batchMessages messages and
// batchBytes bytes (a larger message is a batch of its own).
func (in *Ingester) batches(news []*imapclient.FetchMessageBuffer) [][]*imapclient.FetchMessageBuffer {
	var out [][]*imapclient.FetchMessageBuffer
	var bytes int64
	start := 0
	for i := range news {
		w := in.weigh(news[i : i+1])
		if i > start && (i-start == batchMessages || bytes+w > batchBytes) {
			out = append(out, news[start:i])
			start, bytes = i, 0
		}
		bytes += w
	}
	if start < len(news) {
		out = append(out, news[start:])
	}
	return out
}

// weigh returns how many bytes of mail fetching a batch holds.
func (in *Ingester) weigh(batch []*imapclient.FetchMessageBuffer) int64 {
	var n int64
	for _, m := range batch {
		if m.RFC822Size > in.opts.MaxSize {
			n += headerEstimate
		} else {
			n += m.RFC822Size
		}
	}
	return n
}

// inFlight counts bytes of mail taken in (n > 0) or let go (n < 0), and
// keeps the most held at once, for the tests.
func (in *Ingester) inFlight(n int64) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.held += n
	in.peakHeld = max(in.peakHeld, in.held)
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

// read reads a fetched batch's messages into questions, on every core.
func (in *Ingester) read(f fetched, validity uint32) []questions.Incoming {
	qs := make([]questions.Incoming, len(f.batch))
	parallel.For(len(f.batch), func(i int) {
		m := f.batch[i]
		raw := f.raws[m.UID]
		qq := in.question(raw, m.RFC822Size)
		switch {
		case !m.InternalDate.IsZero(): // when the server got it: more trustworthy than Date
			qq.Received = m.InternalDate
		case qq.Received.IsZero():
			qq.Received = in.q.Now()
		}
		qq.Mailbox, qq.UIDValidity, qq.UID = in.opts.Server.Mailbox, validity, uint32(m.UID)
		qs[i] = qq
	})
	return qs
}

// storeBatch keeps the raw messages of a read batch that are not stored
// yet (on disk before anything is recorded of them), stores their
// questions with the checkpoint at the batch's last UID, then does the
// After action.
func (in *Ingester) storeBatch(ctx context.Context, c *imapclient.Client, validity uint32, f fetched) (Summary, error) {
	var sum Summary
	qs := f.qs
	undo, err := in.keepRaw(ctx, f, qs)
	if err != nil {
		return sum, err
	}
	last := f.batch[len(f.batch)-1].UID
	added, err := in.q.Add(ctx, qs, in.opts.Server.Mailbox, validity, uint32(last), in.opts.After != AfterNone)
	if err != nil {
		if uerr := undo(); uerr != nil { // else the next run keeps them a second time
			in.log.Warn("the day's mbox keeps messages not stored; the next ingest keeps them again", "err", uerr)
		}
		return sum, err
	}
	for i, s := range qs {
		switch {
		case !added[i]:
			sum.Duplicates++
		case s.Kind == questions.KindFollowUp:
			sum.FollowUps++
			in.log.Debug("a follow-up", "uid", s.UID, "question", s.Thread)
		case s.Kind == questions.KindUnreadable:
			sum.Failed++
			in.log.Warn("message kept raw, unreadable", "uid", s.UID, "raw", s.RawPath, "offset", s.RawOffset, "reason", s.Reason)
		case s.Status == questions.StatusIgnored:
			sum.Ignored++
			in.log.Debug("not a question", "uid", s.UID, "kind", s.Kind, "reason", s.Reason)
		default:
			sum.New++
		}
	}
	return sum, in.after(ctx, c, validity, f.batch)
}

// keepRaw appends the raw messages of the batch that the queue does not
// hold yet to the day's mbox, synced, and notes where each went in qs.
// undo takes them out of the mbox again.
func (in *Ingester) keepRaw(ctx context.Context, f fetched, qs []questions.Incoming) (undo func() error, err error) {
	undo = func() error { return nil }
	keys := make([]string, len(qs))
	for i := range qs {
		keys[i] = qs[i].MessageKey
	}
	known, err := in.q.Known(ctx, keys)
	if err != nil {
		return undo, err
	}
	var raws [][]byte
	var senders []string
	var which []int
	for i := range qs {
		if known[qs[i].MessageKey] {
			continue
		}
		known[qs[i].MessageKey] = true // a second copy in the batch is a duplicate too
		raws = append(raws, f.raws[f.batch[i].UID])
		senders = append(senders, qs[i].FromAddr)
		which = append(which, i)
	}
	if len(raws) == 0 {
		return undo, nil
	}
	refs, undo, err := appendRaw(in.opts.MailDir, in.q.Now(), raws, senders)
	if err != nil {
		return nil, err
	}
	for k, i := range which {
		qs[i].RawPath, qs[i].RawOffset, qs[i].RawSize = refs[k].path, refs[k].offset, refs[k].size
	}
	return undo, nil
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

// question reads a raw message of size bytes on the server into a
// question, or an ignored entry with its reason.
func (in *Ingester) question(raw []byte, size int64) questions.Incoming {
	return mailmsg.Question(raw, size, mailmsg.Options{OwnAddress: in.opts.OwnAddress, AuthservIDs: in.opts.AuthservIDs, MaxSize: in.opts.MaxSize})
}
