package publish

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"mailbag/internal/sqlitedb"
)

// A job is due at its time, claimed before its work, finished once; one a
// stopped run claimed is due again; a cancelled one never is.
func TestSchedule(t *testing.T) {
	ctx := context.Background()
	db, err := sqlitedb.Open(filepath.Join(t.TempDir(), "mailbag.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	s, err := NewSchedule(ctx, db, func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Add(ctx, JobPublish, "drafts/a.md", "a", now); err == nil {
		t.Error("a job at the present moment was scheduled")
	}
	pub, _ := s.Add(ctx, JobPublish, "drafts/a.md", "a", now.Add(time.Hour))
	send, _ := s.Add(ctx, JobSend, "a", "a", now.Add(2*time.Hour))
	gone, _ := s.Add(ctx, JobPublish, "drafts/b.md", "b", now.Add(time.Hour))
	if next, ok, err := s.Next(ctx); err != nil || !ok || !next.Equal(now.Add(time.Hour)) {
		t.Errorf("Next = %v %v %v", next, ok, err)
	}
	if err := s.Cancel(ctx, gone.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.Cancel(ctx, gone.ID); !errors.Is(err, ErrNoJob) {
		t.Errorf("cancel twice: %v", err)
	}
	if due, _ := s.Due(ctx); len(due) != 0 {
		t.Errorf("due before their time: %+v", due)
	}

	now = now.Add(3 * time.Hour) // both come due, in order
	due, _ := s.Due(ctx)
	if len(due) != 2 || due[0].ID != pub.ID || due[1].ID != send.ID {
		t.Fatalf("due: %+v, want publish then send", due)
	}
	if ok, err := s.Claim(ctx, pub.ID); !ok || err != nil {
		t.Fatalf("claim: %v %v", ok, err)
	}
	// The run stops here: the claimed job is due again, marked running.
	due, _ = s.Due(ctx)
	if len(due) != 2 || due[0].Status != "running" {
		t.Fatalf("after a stop: %+v", due)
	}
	s.Claim(ctx, pub.ID)
	if err := s.Finish(ctx, pub.ID, nil); err != nil {
		t.Fatal(err)
	}
	s.Claim(ctx, send.ID)
	s.Finish(ctx, send.ID, errors.New("relay refused"))
	if due, _ := s.Due(ctx); len(due) != 0 {
		t.Errorf("due after they finished: %+v", due)
	}
	if ok, _ := s.Claim(ctx, pub.ID); ok {
		t.Error("a finished job was claimed again")
	}
	all, _ := s.List(ctx, true)
	status := map[int64]string{}
	for _, j := range all {
		status[j.ID] = j.Status
	}
	if status[pub.ID] != "done" || status[send.ID] != "failed" || status[gone.ID] != "cancelled" {
		t.Errorf("statuses %v", status)
	}
	if pending, _ := s.List(ctx, false); len(pending) != 0 {
		t.Errorf("still to do: %+v", pending)
	}
}
