package publish

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"mailbag/ingest"
	"mailbag/internal/peers"
	"mailbag/internal/sqlitedb"
)

// TestApplyBounces: a real hard-bounce report, ingested over IMAP, marks
// its subscriber bounced from what ingest recorded (the raw message is not
// read again), and the next send skips them.
func TestApplyBounces(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sqlitedb.Open(filepath.Join(dir, "mailbag.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	q, err := ingest.NewQueue(ctx, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	subs, err := NewSubscribers(ctx, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range []string{"noname@example.com", "fine@example.com"} {
		if _, _, err := subs.Add(ctx, e, "", "test", nil); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := os.ReadFile("../testdata/corpora/mail/flanker-messages/bounce/office365.eml")
	if err != nil {
		t.Fatal(err)
	}
	imap := peers.StartMemIMAP(t)
	if err := imap.Deliver(raw); err != nil {
		t.Fatal(err)
	}
	mailDir := filepath.Join(dir, "mail")
	in := ingest.New(q, ingest.Options{
		Server:  ingest.Server{Address: imap.Addr, Security: "none", Username: imap.Username, Password: imap.Password, Mailbox: "INBOX"},
		MailDir: mailDir,
	})
	if sum, err := in.Run(ctx); err != nil || sum.Ignored != 1 {
		t.Fatalf("ingest: %+v, %v", sum, err)
	}
	if err := os.RemoveAll(mailDir); err != nil { // read once, by ingest
		t.Fatal(err)
	}
	marked, err := ApplyReports(ctx, q, subs)
	if err != nil || len(marked) != 1 || marked[0] != (Marked{"noname@example.com", Bounced}) {
		t.Fatalf("ApplyReports = %+v, %v", marked, err)
	}
	if sub, _ := subs.Get(ctx, "noname@example.com"); sub.Status != Bounced {
		t.Errorf("noname is %s", sub.Status)
	}
	if again, err := ApplyReports(ctx, q, subs); err != nil || len(again) != 0 {
		t.Errorf("again: %q, %v", again, err)
	}
	d, err := NewDeliveries(ctx, db, t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := d.ToSend(ctx, "any-post", Retry{}); err != nil || n != 1 {
		t.Errorf("ToSend = %d, %v; want 1 (the bounced one skipped)", n, err)
	}
}
