package publish

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"mailbag/ingest"
	"mailbag/internal/sqlitedb"
)

// TestApplyBounces: a real hard-bounce report in the question queue marks
// its subscriber bounced, and the next send skips them.
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
	mailDir := filepath.Join(dir, "mail")
	if err := os.MkdirAll(mailDir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(mailDir, "b.eml"), raw, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO questions (message_key, status, kind, reason, received, raw_path, mailbox, uidvalidity, uid, created)
		VALUES ('b', 'ignored', 'bounce', 'a delivery status report (bounce)', '2026-11-24T10:00:00Z', 'b.eml', 'INBOX', 1, 1, '2026-11-24T10:00:00Z')`); err != nil {
		t.Fatal(err)
	}
	marked, err := ApplyBounces(ctx, q, subs, mailDir)
	if err != nil || len(marked) != 1 || marked[0] != "noname@example.com" {
		t.Fatalf("ApplyBounces = %q, %v", marked, err)
	}
	if sub, _ := subs.Get(ctx, "noname@example.com"); sub.Status != Bounced {
		t.Errorf("noname is %s", sub.Status)
	}
	if again, err := ApplyBounces(ctx, q, subs, mailDir); err != nil || len(again) != 0 {
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
