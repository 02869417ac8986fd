package ingest

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"mailbag/internal/peers"
	"mailbag/questions"
)

// TestReportRecipientsRecordedOnce: a real delivery report's recipients are
// stored as ingest stores the report, so nothing reads the raw message
// again; a report an older version stored without them is read by the next
// ingest, once.
func TestReportRecipientsRecordedOnce(t *testing.T) {
	ctx := context.Background()
	raw, err := os.ReadFile("../testdata/corpora/mail/flanker-messages/bounce/office365.eml")
	if err != nil {
		t.Fatal(err)
	}
	srv := peers.StartMemIMAP(t)
	peers.Append(t, srv, raw)
	q, db := newQueueDB(t)
	in := ingester(t, q, Server{Address: srv.Addr, Security: "none", Username: srv.Username, Password: srv.Password})
	if sum, err := in.Run(ctx); err != nil || sum.Ignored != 1 {
		t.Fatalf("Run = %+v, %v", sum, err)
	}
	got, err := q.UnsettledReports(ctx)
	if err != nil || len(got) != 1 || len(got[0].Recipients) != 1 || got[0].Recipients[0] != (questions.Recipient{Address: "noname@example.com", Action: "failed", Status: "5.1.10"}) {
		t.Fatalf("UnsettledReports = %+v, %v", got, err)
	}

	// As an older version left it: the report stored, its recipients not.
	if _, err := db.Exec(`DELETE FROM report_recipients; UPDATE other_mail SET report_read = 0`); err != nil {
		t.Fatal(err)
	}
	if sum, err := in.Run(ctx); err != nil || sum != (Summary{}) {
		t.Fatalf("Run again = %+v, %v", sum, err)
	}
	if got, err := q.UnsettledReports(ctx); err != nil || len(got) != 1 || len(got[0].Recipients) != 1 || got[0].Recipients[0].Status == "" {
		t.Fatalf("after the next ingest: %+v, %v", got, err)
	}
	// Read once: its raw message gone, nothing changes.
	if err := os.RemoveAll(filepath.Join(in.opts.MailDir)); err != nil {
		t.Fatal(err)
	}
	if _, err := in.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if got, _ := q.UnsettledReports(ctx); len(got) != 1 || len(got[0].Recipients) != 1 {
		t.Errorf("after a third run: %+v", got)
	}
}
