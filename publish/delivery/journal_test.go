package delivery

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"mailbag/internal/lockfile"
	"mailbag/internal/peers"
	"mailbag/internal/sqlitedb"
)

func TestJournalReadsWhatItWrote(t *testing.T) {
	path := filepath.Join(t.TempDir(), journalName)
	j, err := openJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []entry{
		{slug: "toe", id: 1, status: "sending"},
		{slug: "toe", id: 1, status: "sent", messageID: "toe.1.5@example.org"},
		{slug: "toe", id: 2, status: "failed", bounced: true, err: "550 5.1.1 no\tsuch\nuser \"x\""},
		{slug: "toe", id: 3, status: "pending"},
	}
	for _, e := range want {
		if err := j.write(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.close(); err != nil {
		t.Fatal(err)
	}
	// A line cut short by a kill in the middle of writing it.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("toe\t4\tsend")
	f.Close()
	got, err := readJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("read back\n%+v\nwant\n%+v", got, want)
	}
	if got, err := readJournal(filepath.Join(t.TempDir(), "none")); got != nil || err != nil {
		t.Errorf("no journal = %v, %v", got, err)
	}
}

// TestSendReplaysTheJournalOfAKilledRun: what a run killed mid-batch
// leaves, pending deliveries and a journal saying the first was accepted
// and the second handed over, is taken up by the next run: the first is
// sent, the second unconfirmed, the third and the rest are mailed.
func TestSendReplaysTheJournalOfAKilledRun(t *testing.T) {
	ctx := context.Background()
	sink := peers.StartSMTPSink(t, false)
	f := newSendFixture(t, sink, 10)
	d := f.sender.Deliveries
	slug := f.r.post.Slug
	first, err := d.pending(ctx, slug, 0, 3)
	if err != nil || len(first) != 3 {
		t.Fatalf("pending = %d, %v", len(first), err)
	}
	journal := "toe\t" + itoa(first[0].ID) + "\tsending\tfalse\t\t\"\"\n" +
		"toe\t" + itoa(first[0].ID) + "\tsent\tfalse\ttoe.1@example.org\t\"\"\n" +
		"toe\t" + itoa(first[1].ID) + "\tsending\tfalse\t\t\"\"\n" +
		"toe\t" + itoa(first[2].ID) + "\tsend" // cut short: never handed over
	if err := os.WriteFile(d.journalPath(), []byte(journal), 0o600); err != nil {
		t.Fatal(err)
	}

	if n, err := d.ToSend(ctx, slug, Retry{}); err != nil || n != 8 {
		t.Errorf("ToSend = %d, %v; want 8", n, err)
	}
	sum, err := f.sender.Send(ctx, f.r, Retry{})
	if err != nil || sum.Sent != 8 || sum.Unconfirmed != 1 || sum.Remaining != 0 {
		t.Fatalf("Send = %+v, %v; want 8 sent, 1 unconfirmed", sum, err)
	}
	got := peers.PerRecipient(sink.Messages())
	for i, sub := range first {
		if want := []int{0, 0, 1}[i]; got[sub.Email] != want {
			t.Errorf("%s got %d messages, want %d", sub.Email, got[sub.Email], want)
		}
	}
	counts, err := d.Counts(ctx, slug)
	if err != nil || counts != (DeliveryCounts{Sent: 9, Sending: 1}) {
		t.Errorf("deliveries = %+v, %v", counts, err)
	}
	var msgID string
	if err := d.db.QueryRow(`SELECT message_id FROM deliveries WHERE subscriber_id = ?`, first[0].ID).Scan(&msgID); err != nil || msgID != "toe.1@example.org" {
		t.Errorf("message ID = %q, %v", msgID, err)
	}
	if _, err := os.Stat(d.journalPath()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the journal is still there after a finished run: %v", err)
	}
}

// TestSendRefusesABrokenJournal: a journal line that cannot be read stops
// the run before anything is sent, naming the line, and is kept.
func TestSendRefusesABrokenJournal(t *testing.T) {
	sink := peers.StartSMTPSink(t, false)
	f := newSendFixture(t, sink, 3)
	path := f.sender.Deliveries.journalPath()
	broken := "toe\t1\tsending\tfalse\t\t\"\"\ntoe\tx\tsent\tfalse\t\t\"\"\n"
	if err := os.WriteFile(path, []byte(broken), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := f.sender.Send(context.Background(), f.r, Retry{})
	if err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("Send = %v, want an error naming line 2", err)
	}
	if sink.Count() != 0 {
		t.Errorf("%d messages sent", sink.Count())
	}
	if data, _ := os.ReadFile(path); string(data) != broken {
		t.Errorf("journal now %q", data)
	}
}

func TestSendOneRunAtATime(t *testing.T) {
	sink := peers.StartSMTPSink(t, false)
	f := newSendFixture(t, sink, 3)
	lock, err := lockfile.Acquire(filepath.Join(f.sender.Deliveries.dir, "send.lock"))
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Release()
	if _, err := f.sender.Send(context.Background(), f.r, Retry{}); !errors.Is(err, lockfile.ErrLocked) {
		t.Fatalf("Send beside another = %v, want ErrLocked", err)
	}
	if sink.Count() != 0 {
		t.Errorf("%d messages sent", sink.Count())
	}
}

// FuzzJournalEntry: any line either is refused or reads back the same once
// written again.
func FuzzJournalEntry(f *testing.F) {
	f.Add("toe\t1\tsent\tfalse\ttoe.1@example.org\t\"\"")
	f.Add("toe\t2\tfailed\ttrue\t\t\"550 5.1.1 no\\tsuch user\"")
	f.Add("toe\t\t\t\t\t")
	f.Fuzz(func(t *testing.T, line string) {
		e, err := parseEntry(line)
		if err != nil {
			return
		}
		again := string(e.appendTo(nil))
		if !strings.HasSuffix(again, "\n") {
			t.Fatalf("%q written without its newline", again)
		}
		e2, err := parseEntry(strings.TrimSuffix(again, "\n"))
		if err != nil || e2 != e {
			t.Fatalf("%q read as %+v, written as %q, read back as %+v, %v", line, e, again, e2, err)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// failingWriter passes the first n writes through, then fails as a full
// disk does.
type failingWriter struct {
	w io.Writer
	n int
}

func (f *failingWriter) Write(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, syscall.ENOSPC
	}
	f.n--
	return f.w.Write(p)
}

// TestSendStopsWhenTheJournalCannotBeWritten: a full disk stops the run
// with an error saying so, and the next run mails the rest, nobody twice.
// A message whose outcome could not be recorded is reported unconfirmed;
// one whose hand-over could not be recorded was cut off before its end, so
// it never arrived, and the next run sends it.
func TestSendStopsWhenTheJournalCannotBeWritten(t *testing.T) {
	for _, tt := range []struct {
		name                      string
		writes                    int // before the disk is full
		arrived, sent             int // in the first run
		nextSent, nextUnconfirmed int
	}{
		{"outcome lost", 5, 3, 2, 7, 1},
		{"hand-over lost", 4, 2, 2, 8, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sink := peers.StartSMTPSink(t, false)
			f := newSendFixture(t, sink, 10)
			f.sender.Concurrency = 1
			d := f.sender.Deliveries
			d.journalWriter = func(w io.Writer) io.Writer { return &failingWriter{w: w, n: tt.writes} }
			sum, err := f.sender.Send(context.Background(), f.r, Retry{})
			if err == nil || !strings.Contains(err.Error(), "no space left on device") {
				t.Fatalf("Send on a full disk = %+v, %v", sum, err)
			}
			if sink.Count() != tt.arrived || sum.Sent != tt.sent {
				t.Fatalf("%d messages arrived, %d recorded as sent; want %d and %d", sink.Count(), sum.Sent, tt.arrived, tt.sent)
			}
			d.journalWriter = nil
			sum, err = f.sender.Send(context.Background(), f.r, Retry{})
			if err != nil || sum.Sent != tt.nextSent || sum.Unconfirmed != tt.nextUnconfirmed || sum.Remaining != 0 {
				t.Fatalf("the next run = %+v, %v; want %d sent, %d unconfirmed", sum, err, tt.nextSent, tt.nextUnconfirmed)
			}
			for to, n := range peers.PerRecipient(sink.Messages()) {
				if n != 1 {
					t.Errorf("%s got %d messages", to, n)
				}
			}
			if sink.Count() != 10 {
				t.Errorf("%d messages in all, want 10", sink.Count())
			}
		})
	}
}

// TestUpgradeReleasesClaimedDeliveries: deliveries an earlier version's
// stopped run left claimed, never handed over, or planned, are sent by the
// next run; what was sent stays sent.
func TestUpgradeReleasesClaimedDeliveries(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sqlitedb.Open(filepath.Join(dir, "mailbag.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := sqlitedb.Migrate(ctx, db, "publish", oldSchema(t, 4)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO subscribers (id, email, email_key, name, status, source, attributes, created, updated)
		VALUES (1, 'ana@example.net', 'ana@example.net', 'Ana', 'active', 'test', '{}', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
		INSERT INTO subscribers (id, email, email_key, name, status, source, attributes, created, updated)
		VALUES (2, 'bo@example.net', 'bo@example.net', 'Bo', 'active', 'test', '{}', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
		INSERT INTO subscribers (id, email, email_key, name, status, source, attributes, created, updated)
		VALUES (3, 'cy@example.net', 'cy@example.net', 'Cy', 'active', 'test', '{}', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
		INSERT INTO deliveries (post_slug, subscriber_id, status, updated) VALUES ('toe', 1, 'claimed', '2026-01-01T00:00:00Z');
		INSERT INTO deliveries (post_slug, subscriber_id, status, updated) VALUES ('toe', 2, 'pending', '2026-01-01T00:00:00Z');
		INSERT INTO deliveries (post_slug, subscriber_id, status, updated) VALUES ('toe', 3, 'sent', '2026-01-01T00:00:00Z')`); err != nil {
		t.Fatal(err)
	}
	d, err := NewDeliveries(ctx, db, DeliveriesOptions{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if c, err := d.Counts(ctx, "toe"); err != nil || c != (DeliveryCounts{Pending: 2, Sent: 1}) {
		t.Errorf("after the upgrade: %+v, %v", c, err)
	}
	if subs, err := d.pending(ctx, "toe", 0, 10); err != nil || len(subs) != 2 || subs[0].ID != 1 || subs[1].ID != 2 {
		t.Errorf("pending = %v, %v; want subscribers 1 and 2", subs, err)
	}
	var rows int
	if err := db.QueryRow(`SELECT count(*) FROM deliveries`).Scan(&rows); err != nil || rows != 1 {
		t.Errorf("%d delivery rows left, %v; want the sent one", rows, err)
	}
}

// oldSchema returns the first n versions of the publish tables' schema, as
// an older mailbag left them.
func oldSchema(t *testing.T, n int) []string {
	t.Helper()
	var out []string
	for v := 1; v <= n; v++ {
		name := "schema.sql"
		if v > 1 {
			name = fmt.Sprintf("schema_v%d.sql", v)
		}
		b, err := os.ReadFile(filepath.Join("..", "schema", name))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(b))
	}
	return out
}
