package ingest

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"mailbag/internal/peers"
	"mailbag/internal/sqlitedb"
	"mailbag/questions"
)

// newQueue opens a queue in a fresh state database.
func newQueue(t testing.TB) *questions.Queue {
	q, _ := newQueueDB(t)
	return q
}

// newQueueDB is newQueue with its database, for tests that play an older
// version's tables.
func newQueueDB(t testing.TB) (*questions.Queue, *sql.DB) {
	t.Helper()
	db, err := sqlitedb.Open(filepath.Join(t.TempDir(), "mailbag.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	q, err := questions.NewQueue(context.Background(), db, nil)
	if err != nil {
		t.Fatal(err)
	}
	return q, db
}

func question(n int, subject, body string) []byte {
	return fmt.Appendf(nil, "From: Reader %d <reader%d@example.net>\r\nTo: ask@example.org\r\nSubject: %s\r\n"+
		"Message-ID: <q%d@example.net>\r\nDate: Tue, 24 Nov 2026 10:%02d:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n",
		n, n, subject, n, n%60, body)
}

func ingester(t testing.TB, q *questions.Queue, s Server) *Ingester {
	t.Helper()
	if s.Mailbox == "" {
		s.Mailbox = "INBOX"
	}
	return New(q, Options{Server: s, MailDir: filepath.Join(t.TempDir(), "mail"), OwnAddress: "ask@example.org"})
}

// login is an IMAP client logged in to srv as its user, to look at the
// mailbox as the ingester left it; it logs out when the test ends.
func login(t *testing.T, srv *peers.MemIMAP) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialInsecure(srv.Addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Login(srv.Username, srv.Password).Wait(); err != nil {
		t.Fatal(err)
	}
	return c
}

func listAll(t testing.TB, q *questions.Queue) []*questions.Question {
	t.Helper()
	qs, err := q.List(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	return qs
}

func TestIngestInProcessServer(t *testing.T) {
	srv := peers.StartMemIMAP(t)
	q := newQueue(t)
	in := ingester(t, q, Server{Address: srv.Addr, Security: "none", Username: srv.Username, Password: srv.Password})
	ctx := context.Background()

	peers.Append(t, srv, question(1, "Re: How do I say no?", "My manager keeps asking for more.\n\nOn Mon, Jim wrote:\n> old stuff\n"))
	peers.Append(t, srv, question(2, "Out of Office: away", "I am away until Monday."))
	peers.Append(t, srv, append([]byte("Auto-Submitted: auto-replied\r\n"), question(3, "Thanks", "Got it.")...))
	sum, err := in.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sum != (Summary{New: 1, Ignored: 2}) {
		t.Errorf("first run: %+v", sum)
	}
	qs := listAll(t, q)
	if len(qs) != 3 {
		t.Fatalf("%d entries, want 3", len(qs))
	}
	first := qs[0]
	if first.Status != questions.StatusNew || first.Subject != "How do I say no?" || first.Text != "My manager keeps asking for more." ||
		first.FromName != "Reader 1" || first.FromAddr != "reader1@example.net" {
		t.Errorf("question 1 = %+v", first)
	}
	raw, err := ReadRaw(in.opts.MailDir, first)
	if err != nil || !strings.Contains(string(raw), "My manager keeps asking") {
		t.Errorf("raw message %s: %v", first.RawPath, err)
	}

	// Again, with nothing new: nothing happens. Then one more message.
	if sum, err := in.Run(ctx); err != nil || sum != (Summary{}) {
		t.Errorf("second run: %+v, %v", sum, err)
	}
	peers.Append(t, srv, question(4, "Another", "A second question?"))
	peers.Append(t, srv, question(1, "Re: How do I say no?", "The same message, delivered twice."))
	if sum, err := in.Run(ctx); err != nil || sum != (Summary{New: 1, Duplicates: 1}) {
		t.Errorf("third run: %+v, %v", sum, err)
	}
	if n := len(listAll(t, q)); n != 4 {
		t.Errorf("%d entries, want 4", n)
	}
}

func TestIngestWrongPasswordAndNoServer(t *testing.T) {
	srv := peers.StartMemIMAP(t)
	q := newQueue(t)
	in := ingester(t, q, Server{Address: srv.Addr, Security: "none", Username: srv.Username, Password: "wrong"})
	_, err := in.Run(context.Background())
	if !errors.Is(err, ErrLogin) || !strings.Contains(err.Error(), "login refused by "+srv.Addr+" for ask@example.test") {
		t.Errorf("wrong password: %v", err)
	}

	in = ingester(t, q, Server{Address: "127.0.0.1:1", Security: "none", Username: "u", Password: "p"})
	_, err = in.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "ingest: connect to 127.0.0.1:1:") || !strings.Contains(err.Error(), "refused") {
		t.Errorf("no server: %v", err)
	}
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t testing.TB, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestIngestAfterSeenAndMove(t *testing.T) {
	ctx := context.Background()
	for _, after := range []After{AfterSeen, AfterMove} {
		t.Run(string(after), func(t *testing.T) {
			srv := peers.StartMemIMAP(t)
			peers.Append(t, srv, question(1, "One", "A question?"))
			peers.Append(t, srv, question(2, "Two", "Another?"))
			in := New(newQueue(t), Options{
				Server:  Server{Address: srv.Addr, Security: "none", Username: srv.Username, Password: srv.Password, Mailbox: "INBOX"},
				MailDir: t.TempDir(), After: after, MoveTo: "Done",
			})
			if sum, err := in.Run(ctx); err != nil || sum.New != 2 {
				t.Fatalf("Run = %+v, %v", sum, err)
			}
			c := login(t, srv)
			inbox, err := c.Status("INBOX", &imap.StatusOptions{NumMessages: true, NumUnseen: true}).Wait()
			if err != nil {
				t.Fatal(err)
			}
			switch after {
			case AfterSeen:
				if *inbox.NumMessages != 2 || *inbox.NumUnseen != 0 {
					t.Errorf("INBOX: %d messages, %d unseen; want 2 and 0", *inbox.NumMessages, *inbox.NumUnseen)
				}
			case AfterMove:
				done, err := c.Status("Done", &imap.StatusOptions{NumMessages: true}).Wait()
				if err != nil {
					t.Fatal(err)
				}
				if *inbox.NumMessages != 0 || *done.NumMessages != 2 {
					t.Errorf("INBOX: %d, Done: %d messages; want 0 and 2", *inbox.NumMessages, *done.NumMessages)
				}
			}
		})
	}
}

func TestIngestTooLargeKeepsTheHeader(t *testing.T) {
	srv := peers.StartMemIMAP(t)
	big := question(1, "A long one", "Please read all of this: "+strings.Repeat("words ", 20000))
	peers.Append(t, srv, big)
	q := newQueue(t)
	in := New(q, Options{
		Server:  Server{Address: srv.Addr, Security: "none", Username: srv.Username, Password: srv.Password, Mailbox: "INBOX"},
		MailDir: t.TempDir(), MaxSize: 64 << 10,
	})
	if sum, err := in.Run(context.Background()); err != nil || sum.Ignored != 1 {
		t.Fatalf("Run = %+v, %v", sum, err)
	}
	got := listAll(t, q)[0]
	if got.Kind != questions.KindTooLarge || got.Subject != "A long one" || !strings.Contains(got.Reason, "over the limit of 0.1 MB") {
		t.Errorf("entry = %+v", got)
	}
	raw, err := ReadRaw(in.opts.MailDir, got)
	if err != nil || len(raw) > 1024 || !strings.Contains(string(raw), "Subject: A long one") {
		t.Errorf("kept %d bytes (%v), want the header only", len(raw), err)
	}
}

// TestIngestCannotKeepTheRawMessages: when the raw messages cannot be
// written (a full or broken disk; here the mail folder's parent is a file),
// the run fails saying so, and nothing moves on: no question stored, the
// checkpoint where it was, the messages still unseen on the server. Once
// the disk is mended, the next run stores them all.
func TestIngestCannotKeepTheRawMessages(t *testing.T) {
	ctx := context.Background()
	srv := peers.StartMemIMAP(t)
	peers.Append(t, srv, question(1, "One", "A question?"))
	peers.Append(t, srv, question(2, "Two", "Another?"))
	q := newQueue(t)
	blocker := filepath.Join(t.TempDir(), "not-a-folder")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	opts := Options{
		Server:  Server{Address: srv.Addr, Security: "none", Username: srv.Username, Password: srv.Password, Mailbox: "INBOX"},
		MailDir: filepath.Join(blocker, "mail"), After: AfterSeen,
	}
	if _, err := New(q, opts).Run(ctx); err == nil || !strings.Contains(err.Error(), "keep raw message") {
		t.Fatalf("Run with the mail folder unwritable = %v; want it to say the raw message could not be kept", err)
	}
	if n := len(listAll(t, q)); n != 0 {
		t.Errorf("%d questions stored without their raw messages", n)
	}
	if _, last, err := q.Checkpoint(ctx, "INBOX"); err != nil || last != 0 {
		t.Errorf("checkpoint moved to %d, %v", last, err)
	}
	c := login(t, srv)
	if st, err := c.Status("INBOX", &imap.StatusOptions{NumUnseen: true}).Wait(); err != nil || *st.NumUnseen != 2 {
		t.Errorf("unseen on the server: %v, %v; want 2", st.NumUnseen, err)
	}

	opts.MailDir = t.TempDir()
	if sum, err := New(q, opts).Run(ctx); err != nil || sum.New != 2 {
		t.Fatalf("Run once mended = %+v, %v", sum, err)
	}
}

// A server that says why it closes the connection ("* BYE [ALERT] ...")
// is heard: the error carries its words, not only the network's. A line
// in a message's text that looks like a BYE is not taken for one.
func TestServerByeIsShown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		r := bufio.NewReader(c)
		c.Write([]byte("* OK [CAPABILITY IMAP4rev1] ready\r\n"))
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			f := strings.Fields(line)
			switch strings.ToUpper(f[1]) {
			case "LOGIN":
				c.Write([]byte(f[0] + " OK logged in\r\n"))
			default: // SELECT, and anything after it
				c.Write([]byte("* BYE [ALERT] Maintenance: back at 12:00 UTC\r\n"))
				return
			}
		}
	}()
	in := ingester(t, newQueue(t), Server{Address: ln.Addr().String(), Security: "none", Username: "a", Password: "b"})
	_, err = in.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), `the server closed the connection, saying "[ALERT] Maintenance: back at 12:00 UTC"`) {
		t.Errorf("Run = %v, want the server's words", err)
	}

	var b byeLine
	b.Write([]byte("* BYE [ALERT] fake, in a literal\r\n* 3 FETCH (UID 9)\r\n"))
	if b.said() != "" {
		t.Errorf("a BYE followed by more lines was kept: %q", b.said())
	}
	b.Write([]byte("T9 IDLE\r\n* BY"))
	b.Write([]byte("E going away\r\n"))
	b.Write([]byte("DONE\r\n"))
	if b.said() != "going away" {
		t.Errorf("a BYE split over two reads, then a command: %q", b.said())
	}
	b.Write([]byte("* 4 FETCH (BODY[] {2000}\r\n" + strings.Repeat("x", 600)))
	b.Write([]byte("* BYE inside a long line\r\n"))
	if b.said() != "" {
		t.Errorf("the end of a long line was taken for a BYE: %q", b.said())
	}
}
