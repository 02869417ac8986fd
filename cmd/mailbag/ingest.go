package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"mailbag/ingest"
	"mailbag/internal/config"
	"mailbag/internal/lockfile"
	"mailbag/publish/delivery"
	"mailbag/questions"
)

func newIngestCmd(a *app) *cobra.Command {
	var watch bool
	cmd := &cobra.Command{
		Use:   "ingest",
		Short: "Fetch new questions over IMAP",
		Long: `Fetch the mail that arrived since the last run from the [imap] mailbox and add
it to the question queue. Every raw message is kept in .mailbag/mail/ (an mbox
per day, which any mail program opens); what is
not a question (auto-replies, list mail, bounces, your own mail) is listed
with its reason under ` + "`mailbag questions --status ignored`" + `.

With --watch it stays connected and picks up new mail as it arrives (IMAP
IDLE), reconnecting after a dropped connection, until Ctrl-C or SIGTERM.
Killing it at any moment loses nothing: the next run carries on.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withDB(cmd.Context(), func(n *newsletter, db *sql.DB) error {
				return a.ingest(cmd.Context(), n, db, watch)
			})
		},
	}
	cmd.Flags().BoolVar(&watch, "watch", false, "stay connected and fetch new mail as it arrives")
	return cmd
}

// ingest fetches new mail once, or keeps watching for it.
func (a *app) ingest(ctx context.Context, n *newsletter, db *sql.DB, watch bool) error {
	lock, err := lockfile.Acquire(filepath.Join(n.home.State(), "ingest.lock"))
	if errors.Is(err, lockfile.ErrLocked) {
		return fmt.Errorf("another mailbag ingest is running on this home: %w", err)
	}
	if err != nil {
		return err
	}
	defer lock.Release()
	q, err := questions.NewQueue(ctx, db, a.now)
	if err != nil {
		return err
	}
	opts, err := a.ingestOptions(ctx, n)
	if err != nil {
		return err
	}
	var bar *progressBar
	if isTerminal(a.stderr) {
		bar = newProgressBar(raw(a.stderr), "messages fetched", 200)
		opts.Progress = bar.update
	}
	in := ingest.New(q, opts)
	ack, err := a.acknowledger(ctx, n, db, q)
	if err != nil {
		return err
	}
	if watch {
		a.logSay = true // a service: what it does goes to its log, with the rest
		a.log.Info("watching for new questions; Ctrl-C stops", "mailbox", opts.Server.Mailbox, "server", opts.Server.Address)
		return in.Watch(ctx, func(s ingest.Summary) {
			bar.end()
			if s != (ingest.Summary{}) {
				a.say("%s\n", summaryLine(s))
			}
			if s.Ignored > 0 {
				if err := a.applyReports(ctx, n, db, q); err != nil {
					a.log.Error("apply reports", "err", err)
				}
			}
			if s.New > 0 {
				if err := ack(); err != nil {
					a.log.Error("acknowledge questions", "err", err)
				}
			}
		})
	}
	sum, err := in.Run(ctx)
	err = withHint("imap", opts.Server.Security, err)
	bar.end()
	if ctx.Err() != nil {
		a.say("%s\n", summaryLine(sum))
		return errors.New("ingest: interrupted; run it again to carry on")
	}
	if err != nil {
		if sum != (ingest.Summary{}) {
			a.say("%s\n", summaryLine(sum)) // what was stored is stored: said even when the run then failed
		}
		return err
	}
	a.say("%s\n", summaryLine(sum))
	if err := a.applyReports(ctx, n, db, q); err != nil {
		return err
	}
	return ack()
}

// ingestOptions returns the ingester's options from the [imap] settings, the
// password read from where they say.
func (a *app) ingestOptions(ctx context.Context, n *newsletter) (ingest.Options, error) {
	c := n.cfg.IMAP
	password, err := config.Secret(ctx, "imap password", c.PasswordEnv, c.PasswordCommand)
	if err != nil {
		return ingest.Options{}, err
	}
	return ingest.Options{
		Server: ingest.Server{
			Address: c.Address, Security: c.Security, Username: c.Username,
			Password: password, Mailbox: c.Mailbox, CAFile: n.path(c.CAFile),
		},
		MailDir:     n.home.Mail(),
		OwnAddress:  n.cfg.Newsletter.Address,
		MaxSize:     int64(c.MaxMessageMB) << 20,
		After:       ingest.After(c.AfterIngest),
		MoveTo:      c.MoveTo,
		AuthservIDs: c.AuthservIDs,
		Log:         a.log,
	}, nil
}

// acknowledger returns what replies to new questions that they arrived,
// when newsletter.acknowledge is set; otherwise it does nothing.
func (a *app) acknowledger(ctx context.Context, n *newsletter, db *sql.DB, q *questions.Queue) (func() error, error) {
	if !n.cfg.Newsletter.Acknowledge {
		return func() error { return nil }, delivery.StopAcknowledging(ctx, db)
	}
	sender, err := n.sender(ctx, nil, a)
	if err != nil {
		return nil, fmt.Errorf("newsletter.acknowledge needs [smtp]: %w", err)
	}
	askers, release, err := a.askers(ctx, n, db, q, sender)
	if err != nil {
		return nil, err
	}
	if err := askers.StartAcknowledging(ctx); err != nil {
		return nil, err
	}
	return func() error {
		defer release() // the index, opened once for all of a pass's replies
		sum, err := askers.Acknowledge(ctx)
		if sum.Sent > 0 {
			a.say("acknowledged %s\n", plural(sum.Sent, "question"))
		}
		if sum.Unauthenticated > 0 {
			a.say("not acknowledged: %s whose sender your mail server did not authenticate (imap.authserv_ids)\n", plural(sum.Unauthenticated, "question"))
		}
		if sum.Failed > 0 {
			a.say("acknowledgements failed: %d, tried again by the next ingest (the log says why)\n", sum.Failed)
		}
		return err
	}, nil
}

// summaryLine says what a pass of ingest stored.
func summaryLine(s ingest.Summary) string {
	line := fmt.Sprintf("ingested: %d new, %d ignored, %d failed", s.New, s.Ignored, s.Failed)
	if s.FollowUps > 0 {
		line += fmt.Sprintf(", %s to questions asked before", plural(s.FollowUps, "follow-up"))
	}
	if s.Duplicates > 0 {
		line += fmt.Sprintf(" (%d already there)", s.Duplicates)
	}
	return line
}
