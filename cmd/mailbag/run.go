package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"mailbag/archive"
	"mailbag/internal/lockfile"
	"mailbag/publish"
	"mailbag/questions"
)

func newRunCmd(a *app) *cobra.Command {
	var addr string
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Serve the site, ingest mail as it comes and do the scheduled work, in one process",
		Long: `Run the whole newsletter in one process: the archive site (as serve), ingest
--watch (when [imap] is set), and the work scheduled with publish --at and
send --at, each at its time, once, even across restarts: work that came due
while run was stopped is done when it starts, and the log says so. Ctrl-C or
SIGTERM stops it. One run at a time on a home.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			a.logSay = true // a service: what it does goes to its log
			return a.withDB(cmd.Context(), func(n *newsletter, db *sql.DB) error {
				return a.run(cmd.Context(), n, db, addr)
			})
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "address the site listens on, host:port")
	return cmd
}

// scheduleLook is the longest the scheduler waits before it looks at the
// schedule again: work scheduled by another command meanwhile is done
// within it.
const scheduleLook = 30 * time.Second

// run serves the site, ingests and carries out the schedule until ctx is
// done.
func (a *app) run(ctx context.Context, n *newsletter, db *sql.DB, addr string) error {
	lock, err := lockfile.Acquire(filepath.Join(n.home.State(), "run.lock"))
	if errors.Is(err, lockfile.ErrLocked) {
		return fmt.Errorf("another mailbag run is running on this home: %w", err)
	}
	if err != nil {
		return err
	}
	defer lock.Release()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("run: %w", err)
	}
	return serveBoth(ctx,
		func(ctx context.Context) error {
			if err := a.serve(ctx, n, db, ln); err != nil && ctx.Err() == nil {
				return err
			}
			return nil // stopped, perhaps while starting
		},
		func(ctx context.Context) error {
			if err := a.ingest(ctx, n, db, true); err != nil && ctx.Err() == nil {
				// The site and the schedule go on: mail waits in the
				// mailbox until ingest can read it.
				a.log.Error("ingest stopped; the site and the schedule go on: mend it and restart run", "err", oneLine(err))
			}
			return nil
		},
		func(ctx context.Context) error { return a.carryOutSchedule(ctx, n, db) })
}

// carryOutSchedule does each scheduled job when its time comes, until ctx
// is done.
func (a *app) carryOutSchedule(ctx context.Context, n *newsletter, db *sql.DB) error {
	s, err := publish.NewSchedule(ctx, db, a.now)
	if err != nil {
		return err
	}
	started := a.now()
	for {
		due, err := s.Due(ctx)
		if err != nil {
			return err
		}
		for _, j := range due {
			if ctx.Err() != nil {
				return nil
			}
			a.carryOut(ctx, n, db, s, j, j.At.Before(started))
		}
		wait := scheduleLook
		if at, ok, err := s.Next(ctx); err != nil {
			return err
		} else if ok {
			wait = max(min(wait, at.Sub(a.now())), 0)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
	}
}

// carryOut does job j, as the command would, and records how it ended;
// missed says it came due before this run started.
func (a *app) carryOut(ctx context.Context, n *newsletter, db *sql.DB, s *publish.Schedule, j publish.Job, missed bool) {
	claimed, err := s.Claim(ctx, j.ID)
	if err != nil || !claimed {
		if err != nil {
			a.log.Error("scheduled work", "job", j.ID, "err", err)
		}
		return
	}
	log := a.log.With("job", j.ID, "work", string(j.Kind), "post", j.Slug, "due", j.At.In(n.cfg.Location).Format(time.DateTime))
	if j.Status == "running" {
		log.Warn("scheduled work begun by a run that was stopped: carrying on")
	} else if missed {
		log.Warn("scheduled work came due while mailbag run was stopped: doing it now", "late", a.now().Sub(j.At).Round(time.Second).String())
	} else {
		log.Info("scheduled work")
	}
	switch j.Kind {
	case publish.JobPublish:
		if _, perr := n.posts.FindNamed(j.Slug); perr == nil {
			err = nil // published before a stop: done
		} else if errors.Is(perr, archive.ErrNotFound) {
			var q *questions.Queue
			if q, err = questions.NewQueue(ctx, db, a.now); err == nil {
				var post *archive.Post
				if post, err = a.publish(ctx, n, q, filepath.Join(n.home.Dir, j.Ref), ""); err == nil {
					log.Info("published", "path", a.rel(n, post.Path), "url", n.list().URL(post))
				}
			}
		} else {
			err = perr
		}
	case publish.JobSend:
		err = a.send(ctx, n, db, j.Slug, sendFlags{yes: true})
	}
	if ctx.Err() != nil {
		return // stopped midway: left running, carried on at the next start
	}
	if ferr := s.Finish(context.WithoutCancel(ctx), j.ID, err); ferr != nil {
		log.Error("record scheduled work", "err", ferr)
	}
	if err != nil {
		log.Error("scheduled work failed", "err", oneLine(err))
		return
	}
	log.Info("scheduled work done")
}
