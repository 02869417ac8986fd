package ingest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"mailbag/internal/peers"
)

// dovecotClient is an IMAP client logged in to d over TLS, to look at the
// mailbox as the ingester left it, or to act as the author's mail program.
func dovecotClient(t *testing.T, d *peers.Dovecot) *imapclient.Client {
	t.Helper()
	in := dovecotIngester(t, d, newQueue(t))
	c, err := in.dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// subjects returns the subjects of the messages in mailbox, each with
// " (deleted)" when it is flagged \Deleted; nil when the mailbox does not
// exist.
func subjects(t *testing.T, d *peers.Dovecot, mailbox string) []string {
	t.Helper()
	c := dovecotClient(t, d)
	sel, err := c.Select(mailbox, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		return nil
	}
	if sel.NumMessages == 0 {
		return []string{}
	}
	msgs, err := c.Fetch(imap.SeqSetNum(1, sel.NumMessages), &imap.FetchOptions{Envelope: true, Flags: true}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range msgs {
		s := m.Envelope.Subject
		if slices.Contains(m.Flags, imap.FlagDeleted) {
			s += " (deleted)"
		}
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// flagDeleted flags the messages of INBOX deleted, as the author's mail
// program does before it expunges.
func flagDeleted(t *testing.T, d *peers.Dovecot) {
	t.Helper()
	c := dovecotClient(t, d)
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	store := &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}
	if err := c.Store(imap.SeqSet{imap.SeqRange{Start: 1, Stop: 0}}, store, nil).Close(); err != nil {
		t.Fatal(err)
	}
}

// TestDovecotMoveWithoutMOVE: on a server without MOVE, ingest copies,
// waits for the copy's OK, then flags and expunges by UID exactly the
// messages it copied; without UIDPLUS it expunges nothing, so a message
// the author flagged deleted stays until the author's mail program
// expunges it.
func TestDovecotMoveWithoutMOVE(t *testing.T) {
	for _, tc := range []struct {
		name, caps string
		want       []string // INBOX after the move
	}{
		{"UIDPLUS", "IMAP4rev1 LITERAL+ SASL-IR IDLE UIDPLUS", []string{"Author's own (deleted)"}},
		{"neither", "IMAP4rev1 LITERAL+ SASL-IR IDLE", []string{"Author's own (deleted)", "A question (deleted)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			d := peers.StartDovecot(t)
			d.Configure(t, "imap_capability = "+tc.caps)
			q := newQueue(t)
			d.Deliver(t, question(1, "Author's own", "Not a question for the list."))
			if _, err := dovecotIngester(t, d, q).Run(ctx); err != nil {
				t.Fatal(err)
			}
			flagDeleted(t, d) // the author's, not yet expunged
			d.Deliver(t, question(2, "A question", "What about moving?"))
			in := dovecotIngester(t, d, q)
			in.opts.After, in.opts.MoveTo = AfterMove, "Questions"
			if sum, err := in.Run(ctx); err != nil || sum.New != 1 {
				t.Fatalf("Run = %+v, %v", sum, err)
			}
			want := tc.want
			slices.Sort(want)
			if got := subjects(t, d, "INBOX"); !slices.Equal(got, want) {
				t.Errorf("INBOX holds %q, want %q", got, want)
			}
			if got := subjects(t, d, "Questions"); !slices.Equal(got, []string{"A question"}) {
				t.Errorf("Questions holds %q, want the question", got)
			}
		})
	}
}

// TestDovecotRefusedMoveLosesNothing: when the folder refuses the copy
// (here its files are not the server's to write), the messages stay in
// INBOX untouched, the run says how many questions it stored and that the
// move failed, and the next run, once the folder takes mail, moves them
// without storing anything twice.
func TestDovecotRefusedMoveLosesNothing(t *testing.T) {
	if os.Geteuid() != 0 {
		if os.Getenv("CI") != "" {
			t.Fatal("needs root, as CI runs: the folder is made unwritable to Dovecot's mail user")
		}
		t.Skip("needs root: the folder is made unwritable to Dovecot's mail user")
	}
	for _, tc := range []struct{ name, caps string }{
		{"MOVE", ""},
		{"COPY", "imap_capability = IMAP4rev1 LITERAL+ SASL-IR IDLE UIDPLUS"},
	} {
		caps := tc.caps
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			d := peers.StartDovecot(t)
			if caps != "" {
				d.Configure(t, caps)
			}
			folder := d.Folder("Questions")
			for _, sub := range []string{"cur", "new", "tmp"} {
				if err := os.MkdirAll(filepath.Join(folder, sub), 0o555); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.WriteFile(filepath.Join(folder, "maildirfolder"), nil, 0o444); err != nil {
				t.Fatal(err)
			}
			refuse := func(mode os.FileMode) {
				for _, sub := range []string{"", "cur", "new", "tmp"} {
					if err := os.Chmod(filepath.Join(folder, sub), mode); err != nil {
						t.Fatal(err)
					}
				}
			}
			refuse(0o555) // root's, and read-only to nobody
			d.Deliver(t, question(1, "One", "First?"), question(2, "Two", "Second?"))
			q := newQueue(t)
			in := dovecotIngester(t, d, q)
			in.opts.After, in.opts.MoveTo = AfterMove, "Questions"
			sum, err := in.Run(ctx)
			if !errors.Is(err, ErrNotMoved) || sum.New != 2 {
				t.Fatalf("Run with the folder refusing = %+v, %v; want 2 new and ErrNotMoved", sum, err)
			}
			if got := subjects(t, d, "INBOX"); !slices.Equal(got, []string{"One", "Two"}) {
				t.Errorf("INBOX after a refused move holds %q, want both, unflagged", got)
			}
			if err := os.Chown(folder, 65534, 65534); err != nil {
				t.Fatal(err)
			}
			for _, sub := range []string{"cur", "new", "tmp"} {
				if err := os.Chown(filepath.Join(folder, sub), 65534, 65534); err != nil {
					t.Fatal(err)
				}
			}
			refuse(0o755)
			sum, err = in.Run(ctx)
			if err != nil || sum != (Summary{}) {
				t.Fatalf("Run once the folder takes mail = %+v, %v; want nothing new and no error", sum, err)
			}
			if got := subjects(t, d, "INBOX"); len(got) != 0 {
				t.Errorf("INBOX holds %q, want it empty", got)
			}
			if got := subjects(t, d, "Questions"); !slices.Equal(got, []string{"One", "Two"}) {
				t.Errorf("Questions holds %q, want both", got)
			}
			if n := len(listAll(t, q)); n != 2 {
				t.Errorf("%d questions stored, want 2", n)
			}
		})
	}
}

// The server's words reach the author: where folders live under INBOX.
// (as on Courier and Cyrus), move_to = "Questions" is refused by the
// server, and the error names the folder meant, "INBOX.Questions"; where
// no such folder is, it says to make one. Nothing is lost either way.
func TestDovecotMoveToSuggestsTheFolder(t *testing.T) {
	ctx := context.Background()
	d := peers.StartDovecot(t)
	d.Configure(t, "namespace inbox {\n  prefix = INBOX.\n  separator = .\n}")
	c := dovecotClient(t, d)
	if err := c.Create("INBOX.Questions", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	d.Deliver(t, question(1, "One", "First?"))
	in := dovecotIngester(t, d, newQueue(t))
	in.opts.After, in.opts.MoveTo = AfterMove, "Questions"
	sum, err := in.Run(ctx)
	if !errors.Is(err, ErrNotMoved) || sum.New != 1 || !strings.Contains(err.Error(), `set imap.move_to = "INBOX.Questions"`) {
		t.Fatalf("Run = %+v, %v; want the question stored and a hint naming INBOX.Questions", sum, err)
	}
	in.opts.MoveTo = "Answered"
	if _, err := in.Run(ctx); !errors.Is(err, ErrNotMoved) || !strings.Contains(err.Error(), `the server has no folder "Answered": make it`) {
		t.Errorf("a folder that is nowhere: %v", err)
	}
	in.opts.MoveTo = "INBOX.Questions"
	if _, err := in.Run(ctx); err != nil {
		t.Fatalf("with the folder the hint named: %v", err)
	}
	if got := subjects(t, d, "INBOX.Questions"); !slices.Equal(got, []string{"One"}) {
		t.Errorf("INBOX.Questions holds %q", got)
	}
}
