package publish

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"mailbag/publish/schema"
	"time"
)

// JobKind is what a scheduled job does.
type JobKind string

// The kinds of scheduled job.
const (
	JobPublish JobKind = "publish" // publish a draft
	JobSend    JobKind = "send"    // mail a post to the subscribers
)

// Job is work scheduled for a time (publish --at, send --at).
type Job struct {
	ID   int64
	Kind JobKind
	// Ref is the draft or post as the author named it; Slug the post's.
	Ref, Slug string
	At        time.Time
	// Status is pending, running (claimed by `mailbag run`, which was
	// stopped before it finished when it stays so), done, failed or
	// cancelled.
	Status   string
	Finished time.Time // zero until done or failed
	Error    string    // why it failed
}

// ErrNoJob means there is no pending job with the ID asked for.
var ErrNoJob = errors.New("publish: no such scheduled job")

// Schedule is the work scheduled for later, in the state database: a job
// is carried out once, even across restarts (Claim, then Finish; a job
// claimed and not finished is due again, and publish and send both finish
// an interrupted run when run again). It owns the scheduled table.
type Schedule struct {
	db  *sql.DB
	now func() time.Time
}

// NewSchedule returns the schedule of the state database db, creating or
// upgrading its tables; now is the clock (nil means time.Now).
func NewSchedule(ctx context.Context, db *sql.DB, now func() time.Time) (*Schedule, error) {
	if err := schema.Migrate(ctx, db); err != nil {
		return nil, err
	}
	if now == nil {
		now = time.Now
	}
	return &Schedule{db: db, now: now}, nil
}

// Add schedules kind of ref (whose post's slug is slug) at at, which must
// be in the future.
func (s *Schedule) Add(ctx context.Context, kind JobKind, ref, slug string, at time.Time) (Job, error) {
	if !at.After(s.now()) {
		return Job{}, fmt.Errorf("publish: schedule %s: %s is not in the future", kind, at.Format(time.RFC3339))
	}
	res, err := s.db.ExecContext(ctx, `INSERT INTO scheduled (kind, ref, slug, at, created) VALUES (?, ?, ?, ?, ?)`,
		kind, ref, slug, at.UTC().Format(time.RFC3339), s.now().UTC().Format(time.RFC3339))
	if err != nil {
		return Job{}, fmt.Errorf("publish: schedule %s: %w", kind, err)
	}
	id, _ := res.LastInsertId()
	return Job{ID: id, Kind: kind, Ref: ref, Slug: slug, At: at, Status: "pending"}, nil
}

const jobColumns = `id, kind, ref, slug, at, status, finished, error`

func scanJob(row interface{ Scan(...any) error }) (Job, error) {
	var j Job
	var at, finished string
	if err := row.Scan(&j.ID, &j.Kind, &j.Ref, &j.Slug, &at, &j.Status, &finished, &j.Error); err != nil {
		return Job{}, err
	}
	j.At, _ = time.Parse(time.RFC3339, at)
	j.Finished, _ = time.Parse(time.RFC3339, finished)
	return j, nil
}

func (s *Schedule) jobs(ctx context.Context, where string, args ...any) ([]Job, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+jobColumns+` FROM scheduled WHERE `+where+` ORDER BY at, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("publish: scheduled jobs: %w", err)
	}
	defer rows.Close()
	var out []Job
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, fmt.Errorf("publish: scheduled jobs: %w", err)
		}
		out = append(out, j)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("publish: scheduled jobs: %w", err)
	}
	return out, nil
}

// List returns the jobs still to do (pending or running), in their order;
// with all, the finished and cancelled ones too.
func (s *Schedule) List(ctx context.Context, all bool) ([]Job, error) {
	if all {
		return s.jobs(ctx, `1`)
	}
	return s.jobs(ctx, `status IN ('pending', 'running')`)
}

// Due returns the jobs whose time has come and that are not finished, in
// their order: those pending, and those a stopped run claimed.
func (s *Schedule) Due(ctx context.Context) ([]Job, error) {
	return s.jobs(ctx, `status IN ('pending', 'running') AND at <= ?`, s.now().UTC().Format(time.RFC3339))
}

// Next returns the time of the next pending job; ok is false when there is
// none.
func (s *Schedule) Next(ctx context.Context) (at time.Time, ok bool, err error) {
	var v sql.NullString
	if err := s.db.QueryRowContext(ctx, `SELECT min(at) FROM scheduled WHERE status = 'pending'`).Scan(&v); err != nil {
		return time.Time{}, false, fmt.Errorf("publish: scheduled jobs: %w", err)
	}
	if !v.Valid {
		return time.Time{}, false, nil
	}
	at, err = time.Parse(time.RFC3339, v.String)
	return at, err == nil, err
}

// Claim marks job id running, before its work starts; false when it is
// cancelled or finished meanwhile (nothing to do).
func (s *Schedule) Claim(ctx context.Context, id int64) (bool, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE scheduled SET status = 'running' WHERE id = ? AND status IN ('pending', 'running')`, id)
	if err != nil {
		return false, fmt.Errorf("publish: claim scheduled job %d: %w", id, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// Finish records how job id ended: done, or failed with err.
func (s *Schedule) Finish(ctx context.Context, id int64, failure error) error {
	status, why := "done", ""
	if failure != nil {
		status, why = "failed", failure.Error()
	}
	if _, err := s.db.ExecContext(ctx, `UPDATE scheduled SET status = ?, error = ?, finished = ? WHERE id = ?`,
		status, why, s.now().UTC().Format(time.RFC3339), id); err != nil {
		return fmt.Errorf("publish: finish scheduled job %d: %w", id, err)
	}
	return nil
}

// Cancel cancels pending job id; the error wraps ErrNoJob when there is no
// pending job with it (one running cannot be cancelled).
func (s *Schedule) Cancel(ctx context.Context, id int64) error {
	res, err := s.db.ExecContext(ctx, `UPDATE scheduled SET status = 'cancelled', finished = ? WHERE id = ? AND status = 'pending'`,
		s.now().UTC().Format(time.RFC3339), id)
	if err != nil {
		return fmt.Errorf("publish: cancel scheduled job %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%w: %d is not waiting (mailbag schedule lists those that are)", ErrNoJob, id)
	}
	return nil
}
