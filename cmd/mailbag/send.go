package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/wneessen/go-mail"

	"mailbag/archive"
	"mailbag/archive/search"
	"mailbag/internal/automail"
	"mailbag/internal/config"
	"mailbag/publish"
	"mailbag/publish/delivery"
	"mailbag/publish/mailinglist"
	"mailbag/questions"
)

type sendFlags struct {
	dryRun, raw, yes bool
	retry            delivery.Retry
	test             string
	at               string
}

func newSendCmd(a *app) *cobra.Command {
	var f sendFlags
	cmd := &cobra.Command{
		Use:   "send POST",
		Short: "Mail a post to every active subscriber, once each",
		Long: `Mail POST (a path or a slug) to every active subscriber who has not had it:
text and HTML parts, From and Reply-To the newsletter's address (readers
reply with questions), a personal unsubscribe link in the body and in
List-Unsubscribe (one click, RFC 8058). It asks first, with the count, unless
--yes.

Subscribers that delivery reports in the question queue (mailbag questions
--status ignored) say bounced are marked so first, and skipped.

Interrupted, or killed, and run again, it mails only those not yet mailed.
A message the server may have taken just before a crash is reported as
unconfirmed and not sent again, unless --retry-unconfirmed. Messages the
server refused for good (5xx) are sent again with --retry-failed, once the
cause is mended; a message it keeps answering "try later" (4xx) is left for
the next run, and a relay that cannot be reached stops the run.

With --at TIME, it is sent at TIME by ` + "`mailbag run`" + `, without asking: POST must be
published by then (published now, or a draft scheduled to be before TIME).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.dryRun && f.test != "" {
				return usageError{errors.New("--dry-run and --test: choose one")}
			}
			if f.raw && !f.dryRun {
				return usageError{errors.New("--raw goes with --dry-run")}
			}
			if f.at != "" && (f.dryRun || f.test != "") {
				return usageError{errors.New("--at schedules the send itself: --dry-run and --test go without it")}
			}
			return a.withDB(cmd.Context(), func(n *newsletter, db *sql.DB) error {
				if f.at != "" {
					return a.scheduleSend(cmd.Context(), n, db, args[0], f.at)
				}
				return a.send(cmd.Context(), n, db, args[0], f)
			})
		},
	}
	cmd.Flags().BoolVar(&f.dryRun, "dry-run", false, "print the first message, decoded, and the count; send nothing")
	cmd.Flags().BoolVar(&f.raw, "raw", false, "with --dry-run: print the message as it goes out (MIME)")
	cmd.Flags().StringVar(&f.test, "test", "", "send one copy to this address; record nothing")
	cmd.Flags().BoolVar(&f.yes, "yes", false, "do not ask before sending")
	cmd.Flags().StringVar(&f.at, "at", "", "send at this time ('YYYY-MM-DD HH:MM:SS' in the newsletter's time zone, or RFC 3339), by mailbag run")
	cmd.Flags().BoolVar(&f.retry.Unconfirmed, "retry-unconfirmed", false, "send again the messages a stopped run may or may not have delivered")
	cmd.Flags().BoolVar(&f.retry.Failed, "retry-failed", false, "send again the messages the server refused (5xx) to subscribers still active")
	return cmd
}

func (a *app) send(ctx context.Context, n *newsletter, db *sql.DB, ref string, f sendFlags) error {
	a.warnExamples(n)
	t, err := n.templates()
	if err != nil {
		return err
	}
	if err := delivery.CheckMailTemplates(t); err != nil {
		return err
	}
	post, err := a.publishedPost(n, ref)
	if err != nil {
		return err
	}
	deliveries, err := delivery.NewDeliveries(ctx, db, delivery.DeliveriesOptions{Dir: n.home.State(), Now: a.now,
		SoftBounces: delivery.SoftBounces{Limit: n.cfg.SMTP.SoftBounceLimit, Days: n.cfg.SMTP.SoftBounceDays}})
	if err != nil {
		return err
	}
	key, err := mailinglist.LoadSecret(filepath.Join(n.home.State(), "secret"))
	if err != nil {
		return err
	}
	q, err := questions.NewQueue(ctx, db, a.now)
	if err != nil {
		return err
	}
	if err := a.applyReports(ctx, n, db, q); err != nil {
		return err
	}
	r, err := delivery.Render(post, delivery.RenderOptions{Newsletter: n.list(), Key: key, Templates: t})
	if err != nil {
		return err
	}
	count, err := deliveries.ToSend(ctx, post.Slug, f.retry)
	if err != nil {
		return err
	}
	if f.dryRun {
		return a.dryRun(ctx, db, r, count, post.Title, f.raw)
	}
	sender, err := n.sender(ctx, deliveries, a)
	if err != nil {
		return err
	}
	if f.test != "" {
		return a.sendTest(ctx, sender, r, post.Title, f.test)
	}
	if ok, err := a.confirmSend(ref, post.Title, count, f.yes); !ok || err != nil {
		return err
	}
	var bar *progressBar
	if isTerminal(a.stderr) {
		bar = newProgressBar(raw(a.stderr), "sent", 1)
		sender.Progress = bar.update
	}
	sum, err := sender.Send(ctx, r, f.retry)
	err = withHint("smtp", n.cfg.SMTP.Security, err)
	bar.end()
	a.printSendSummary(sum)
	if err != nil {
		if ctx.Err() != nil {
			return errors.New("send: interrupted; run it again to carry on")
		}
		return err
	}
	if n.cfg.Newsletter.NotifyAskers && sum.Remaining == 0 && len(post.Questions) > 0 {
		if err := a.notifyAskers(ctx, n, db, q, sender, post); err != nil {
			return err
		}
	}
	return unfinished(sum)
}

// scheduleSend schedules sending ref at the time at: ref is a published
// post, or a draft scheduled to be published before then.
func (a *app) scheduleSend(ctx context.Context, n *newsletter, db *sql.DB, ref, at string) error {
	when, err := a.parseAt(n, at)
	if err != nil {
		return err
	}
	s, err := publish.NewSchedule(ctx, db, a.now)
	if err != nil {
		return err
	}
	slug := ""
	if post, err := n.posts.Find(ref); err == nil {
		slug = post.Slug
	} else if path, derr := n.drafts().Find(ref); derr == nil {
		jobs, err := s.List(ctx, false)
		if err != nil {
			return err
		}
		for _, j := range jobs {
			if j.Kind == publish.JobPublish && j.Ref == a.rel(n, path) && j.At.Before(when) {
				slug = j.Slug
			}
		}
		if slug == "" {
			return fmt.Errorf("%s is a draft not scheduled to be published before %s: publish it, or publish it --at an earlier time", a.rel(n, path), at)
		}
	} else {
		return err
	}
	j, err := s.Add(ctx, publish.JobSend, slug, slug, when)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "Scheduled %d: send %s at %s, by mailbag run (mailbag schedule lists and cancels).\n",
		j.ID, slug, atText(when.In(n.cfg.Location), "Mon 2 Jan 2006 15:04 MST"))
	return nil
}

// publishedPost returns the post ref names, which must be published: a draft,
// by path or slug, is refused, saying to publish it first.
func (a *app) publishedPost(n *newsletter, ref string) (*archive.Post, error) {
	post, err := n.posts.Find(ref)
	if err == nil || !errors.Is(err, archive.ErrNotFound) && !errors.Is(err, archive.ErrNotInPosts) {
		return post, err
	}
	if path, derr := n.drafts().Find(ref); derr == nil && !n.posts.Holds(path) {
		return nil, fmt.Errorf("send: %s is a draft, not a published post: only published posts are sent; publish it first (mailbag publish %s)", ref, a.rel(n, path))
	}
	if errors.Is(err, archive.ErrNotInPosts) {
		return nil, fmt.Errorf("send: %s is not in posts/: only published posts are sent; publish it first (mailbag publish %s)", ref, ref)
	}
	return nil, fmt.Errorf("send: no published post %s (send takes a slug, or a file in posts/; mailbag drafts lists what is not published yet)", ref)
}

// sendTest mails one copy of r's post (titled title) to addr, recording
// nothing.
func (a *app) sendTest(ctx context.Context, sender *delivery.Sender, r *delivery.Rendered, title, addr string) error {
	if err := withHint("smtp", sender.SMTP.Security, sender.SendTest(ctx, r, addr)); err != nil {
		return commandError{"send --test", err}
	}
	fmt.Fprintf(a.stdout, "Sent a test copy of “%s” to %s.\n", title, addr)
	return nil
}

// unfinished returns the error of a run that left messages failed or deferred,
// saying what to do; nil when it left none.
func unfinished(sum delivery.SendSummary) error {
	if sum.Failed > 0 {
		return fmt.Errorf("send: %s failed (`mailbag subscribers list --status bounced` shows the addresses that bounced; once the cause is mended, --retry-failed sends the others again)", plural(sum.Failed, "message"))
	}
	if sum.Deferred > 0 {
		return fmt.Errorf("send: the server said to try %s again later: run send again to carry on", plural(sum.Deferred, "message"))
	}
	return nil
}

// confirmSend asks, at a terminal, whether to mail count subscribers,
// unless yes; without a terminal to ask at, it is a usage error. It says so
// when there is nobody to mail, and goes on: a run still reports what an
// earlier one left unconfirmed.
func (a *app) confirmSend(ref, title string, count int, yes bool) (bool, error) {
	switch {
	case count == 0:
		fmt.Fprintf(a.stdout, "Every active subscriber has had “%s”.\n", title)
		return true, nil
	case yes:
		return true, nil
	case !isTerminal(a.stdin):
		return false, usageError{fmt.Errorf("send %s: not at a terminal to confirm: add --yes to mail %s", ref, plural(count, "subscriber"))}
	}
	fmt.Fprintf(a.stdout, "Send “%s” to %s? [y/N] ", title, plural(count, "subscriber"))
	answer, _ := bufio.NewReader(a.stdin).ReadString('\n')
	if ans := strings.ToLower(strings.TrimSpace(answer)); ans != "y" && ans != "yes" {
		fmt.Fprintln(a.stdout, "Nothing sent.")
		return false, nil
	}
	return true, nil
}

// printSendSummary says what a run of send did and left.
func (a *app) printSendSummary(sum delivery.SendSummary) {
	line := fmt.Sprintf("sent %d, failed %d, remaining %d", sum.Sent, sum.Failed, sum.Remaining)
	if sum.Bounced > 0 {
		line += fmt.Sprintf(" (%s marked bounced)", plural(sum.Bounced, "subscriber"))
	}
	if sum.Deferred > 0 {
		line += fmt.Sprintf(" (%d deferred by the server)", sum.Deferred)
	}
	a.say("%s\n", line)
	if sum.Unconfirmed > 0 {
		a.say("%d unconfirmed: a stopped run handed them to the server without recording its answer; they may have arrived. --retry-unconfirmed sends them again.\n", sum.Unconfirmed)
	}
}

// notifyAskers tells the askers of post's questions that it is out, once
// each (newsletter.notify_askers).
func (a *app) notifyAskers(ctx context.Context, n *newsletter, db *sql.DB, q *questions.Queue, sender *delivery.Sender, post *archive.Post) error {
	askers, release, err := a.askers(ctx, n, db, q, sender)
	if err != nil {
		return err
	}
	defer release()
	told, err := askers.Notify(ctx, post)
	if told > 0 {
		a.say("Told %s that the answer is out.\n", plural(told, "asker"))
	}
	return err
}

// askers returns what writes to the people who asked questions. Its
// acknowledgements list the past answers that answer a question, from the
// index opened at the first look (through a running serve, or by itself)
// and kept until release is called, so that a long `ingest --watch` never
// keeps it from serve or reindex between passes.
func (a *app) askers(ctx context.Context, n *newsletter, db *sql.DB, q *questions.Queue, m automail.Mailer) (askers *delivery.Askers, release func(), err error) {
	t, err := n.templates()
	if err != nil {
		return nil, nil, err
	}
	var x searchIndex
	answers := func(ctx context.Context, question string, count int) ([]search.Hit, error) {
		if x == nil {
			if x, err = a.openIndex(ctx, n); err != nil {
				return nil, err
			}
		}
		return x.Answers(ctx, question, count)
	}
	release = func() {
		if x != nil {
			x.Close()
			x = nil
		}
	}
	askers, err = delivery.NewAskers(ctx, db, delivery.AskersOptions{Queue: q, Mailer: m, Newsletter: n.list(), Templates: t, Now: n.now,
		Answers: answers, Log: a.log})
	return askers, release, err
}

// applyReports takes off the list the subscribers that reports in the
// question queue name (bounces, complaints, unsubscribes by mail), and
// says whom.
func (a *app) applyReports(ctx context.Context, n *newsletter, db *sql.DB, q *questions.Queue) error {
	subs, err := mailinglist.NewSubscribers(ctx, db, a.now)
	if err != nil {
		return err
	}
	key, err := mailinglist.LoadSecret(filepath.Join(n.home.State(), "secret"))
	if err != nil {
		return err
	}
	marked, err := delivery.ApplyReports(ctx, delivery.ReportOptions{DB: db, Queue: q, Subscribers: subs, Key: key, Now: a.now,
		SoftBounces: delivery.SoftBounces{Limit: n.cfg.SMTP.SoftBounceLimit, Days: n.cfg.SMTP.SoftBounceDays}})
	for _, m := range marked {
		a.say("Marked %s %s, from a report in the questions mailbox.\n", m.Email, m.Status)
	}
	return err
}

// dryRun prints the message the first recipient would get, decoded (or
// raw, as MIME), and the count.
func (a *app) dryRun(ctx context.Context, db *sql.DB, r *delivery.Rendered, count int, title string, raw bool) error {
	subs, err := mailinglist.NewSubscribers(ctx, db, a.now)
	if err != nil {
		return err
	}
	active, err := subs.List(ctx, mailinglist.Active)
	if err != nil {
		return err
	}
	sample := &mailinglist.Subscriber{ID: 1, Email: "reader@example.net", Name: "A Reader"}
	if len(active) > 0 {
		sample = active[0]
	}
	msg, err := r.Message(sample, a.now())
	if err != nil {
		return err
	}
	var mime bytes.Buffer
	if _, err := msg.WriteTo(&mime); err != nil {
		return err
	}
	if raw {
		_, err = a.stdout.Write(mime.Bytes())
	} else {
		err = delivery.PrintReadable(a.stdout, mime.Bytes())
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "\n\nDry run: “%s” would go to %s. Nothing was sent.\n", title, plural(count, "subscriber"))
	return nil
}

// sender returns the Sender the settings describe.
func (n *newsletter) sender(ctx context.Context, d *delivery.Deliveries, a *app) (*delivery.Sender, error) {
	c := n.cfg.SMTP
	host, portText, err := net.SplitHostPort(c.Address)
	if err != nil {
		return nil, fmt.Errorf("smtp.address %q: %w", c.Address, err)
	}
	port, _ := strconv.Atoi(portText)
	var password string
	if c.Username != "" { // no login, no password
		if password, err = config.Secret(ctx, "smtp password", c.PasswordEnv, c.PasswordCommand); err != nil {
			return nil, err
		}
	}
	smtp := delivery.SMTP{Host: host, Port: port, Security: c.Security, Username: c.Username, Password: password}
	if c.CAFile != "" {
		pem, err := os.ReadFile(n.path(c.CAFile))
		if err != nil {
			return nil, fmt.Errorf("smtp.ca_file: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("smtp.ca_file %s holds no PEM certificate", c.CAFile)
		}
		smtp.TLSConfig = &tls.Config{ServerName: host, RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	if c.DKIMKeyFile != "" {
		pem, err := os.ReadFile(n.path(c.DKIMKeyFile))
		if err != nil {
			return nil, fmt.Errorf("smtp.dkim_key_file: %w", err)
		}
		key, err := mail.PrivKeyFromPEM(pem)
		if err != nil {
			return nil, fmt.Errorf("smtp.dkim_key_file %s: %w", c.DKIMKeyFile, err)
		}
		smtp.DKIMDomain, smtp.DKIMSelector, smtp.DKIMKey = c.DKIMDomain, c.DKIMSelector, key
	}
	return &delivery.Sender{SMTP: smtp, Deliveries: d, Concurrency: c.Concurrency, Rate: c.Rate, Log: a.log, Now: a.now}, nil
}
