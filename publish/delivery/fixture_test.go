package delivery

import (
	"context"
	"database/sql"
	"net"
	"path/filepath"
	"strconv"
	"testing"

	"mailbag/internal/peers"
	"mailbag/internal/sqlitedb"
	"mailbag/publish"
	"mailbag/publish/schema"
	"mailbag/questions"
	"mailbag/templates"
)

// stateFixture opens a fresh state database with the ingest and publish
// tables, and its question queue.
func stateFixture(t *testing.T) (*sql.DB, *questions.Queue) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlitedb.Open(filepath.Join(t.TempDir(), "mailbag.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	q, err := questions.NewQueue(ctx, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := schema.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	return db, q
}

// loadTemplates loads the built-in templates and overrides (a folder; ""
// for none), as a command does at start.
func loadTemplates(t testing.TB, overrides string) *templates.Set {
	t.Helper()
	set, err := templates.Load(templates.Options{Overrides: overrides, Funcs: publish.TemplateFuncs})
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// sinkMailer is a Sender to sink, in plain text.
func sinkMailer(sink *peers.SMTPSink) *Sender {
	host, port, _ := net.SplitHostPort(sink.Addr)
	p, _ := strconv.Atoi(port)
	return &Sender{SMTP: SMTP{Host: host, Port: p, Security: "none"}}
}
