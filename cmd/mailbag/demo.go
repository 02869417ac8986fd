package main

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"mailbag/internal/config"
	"mailbag/internal/demo"
	"mailbag/internal/home"
	"mailbag/internal/memserver"
	"mailbag/publish/mailinglist"
	"mailbag/questions"
)

func newDemoCmd(a *app) *cobra.Command {
	var (
		addr string
		keep bool
	)
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "The whole pipeline in one process, nothing to install",
		Long: `Run the whole pipeline in one process, in a temporary home, with nothing
installed: an in-memory IMAP server holding a few reader questions, ingest,
two of them answered and published, sent to three demo subscribers through
an in-process SMTP server, then the archive site, with a page of the mail
sent. Each step is the command's own code, as if typed. It prints each step,
then the site's URL; at a terminal, i opens the inbox on the demo's
questions. Ctrl-C stops it and removes the temporary home (unless --keep).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.demo(cmd.Context(), addr, keep)
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "address for the site, host:port (port 0 picks one)")
	cmd.Flags().BoolVar(&keep, "keep", false, "keep the temporary home afterwards")
	return cmd
}

// demo runs the pipeline on a new home in a temporary folder until ctx is
// done, then removes the folder unless keep.
func (a *app) demo(ctx context.Context, addr string, keep bool) (err error) {
	dir, err := os.MkdirTemp("", "mailbag-demo")
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer func() {
		switch {
		case keep:
			fmt.Fprintf(a.stdout, "Stopped. The demo home is kept in %s\n", dir)
		case os.RemoveAll(dir) != nil:
			fmt.Fprintf(a.stdout, "Stopped. The demo home %s could not be removed.\n", dir)
		default:
			fmt.Fprintf(a.stdout, "Stopped. The demo home %s is removed (--keep keeps it).\n", dir)
		}
	}()
	h, err := home.Init(dir)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "1. mailbag init: a newsletter home in %s\n", h.Dir)
	imap, stopIMAP, err := memserver.NewIMAP()
	if err != nil {
		return err
	}
	defer stopIMAP()
	for _, raw := range demo.Questions() {
		if err := imap.Deliver(raw); err != nil {
			return err
		}
	}
	sink, stopSink, err := memserver.NewSMTPSink(false)
	if err != nil {
		return err
	}
	defer stopSink()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer ln.Close()
	// What a user changes in the file init wrote: the site's address and
	// the mail servers (here in this process, without TLS or a login to
	// the sender); the IMAP password comes from the environment, as the
	// file says.
	if err := editSettings(h.Settings(), map[string]string{
		"newsletter.base_url": "http://" + ln.Addr().String(),
		"newsletter.address":  "ask@demo.example",
		"imap.address":        imap.Addr,
		"imap.security":       "none",
		"imap.username":       imap.Username,
		"smtp.address":        sink.Addr,
		"smtp.security":       "none",
		"smtp.username":       "",
	}); err != nil {
		return err
	}
	if err := os.Setenv(config.Default().IMAP.PasswordEnv, imap.Password); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	a.homeFlag = h.Dir
	return a.withDB(ctx, func(n *newsletter, db *sql.DB) error {
		return a.demoSteps(ctx, n, db, ln, sink)
	})
}

// demoSteps ingests, answers, publishes and sends two answers, then serves
// the site until ctx is done: each step the command's own function.
func (a *app) demoSteps(ctx context.Context, n *newsletter, db *sql.DB, ln net.Listener, sink *memserver.SMTPSink) error {
	if err := os.WriteFile(filepath.Join(n.home.Posts(), "2018-06-20-a-product-manager-stepped-on-my-toe.md"), demo.Seed(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "2. mailbag ingest: %d messages over IMAP\n", len(demo.Questions()))
	if err := a.ingest(ctx, n, db, false); err != nil {
		return err
	}
	q, err := questions.NewQueue(ctx, db, a.now)
	if err != nil {
		return err
	}
	news, err := q.List(ctx, questions.StatusNew)
	if err != nil {
		return err
	}
	var slugs []string
	for i, question := range news[:min(2, len(news))] {
		fmt.Fprintf(a.stdout, "3. mailbag answer %d, the answer written in, mailbag publish\n", question.ID)
		slug, err := a.demoAnswer(ctx, n, q, question.ID, demo.Answer(i))
		if err != nil {
			return err
		}
		slugs = append(slugs, slug)
	}
	subs, err := mailinglist.NewSubscribers(ctx, db, a.now)
	if err != nil {
		return err
	}
	for _, e := range []string{"Ana <ana@example.net>", "Bo <bo@example.net>", "Cy <cy@example.net>"} {
		if _, _, err := subs.Add(ctx, e, "", "demo", nil); err != nil {
			return err
		}
	}
	for _, slug := range slugs {
		fmt.Fprintf(a.stdout, "4. mailbag send --yes %s, to 3 subscribers through an SMTP server in this process\n", slug)
		if err := a.send(ctx, n, db, slug, sendFlags{yes: true}); err != nil {
			return err
		}
	}
	fmt.Fprintf(a.stdout, "5. mailbag serve: the archive site (with /ask, linked from its header), and the %d messages sent at %s/demo/mail/\n", sink.Count(), n.cfg.Newsletter.BaseURL)
	if isTerminal(a.stdin) && isTerminal(a.stdout) {
		fmt.Fprintln(a.stdout, "6. Press i for mailbag inbox: the question still waiting, with its follow-up, beside past answers (q there comes back here).")
		go func() {
			if err := a.demoInbox(ctx, n, db); err != nil && ctx.Err() == nil {
				fmt.Fprintf(a.stdout, "The inbox stopped: %v\n", err)
			}
		}()
	} else {
		fmt.Fprintln(a.stdout, "6. mailbag inbox: run the demo at a terminal, and i opens it on the question still waiting")
	}
	fmt.Fprintln(a.stdout, "Ctrl-C stops the demo.")
	mail := page{path: "/demo/mail/", title: "Mail sent", handler: func(w http.ResponseWriter, _ *http.Request) { demo.MailPage(w, sink) }}
	return a.serve(ctx, n, db, ln, mail)
}

// demoAnswer writes the draft answering question id as `mailbag answer`
// does, writes text in it where the answer goes, and publishes it as
// `mailbag publish` does; it returns the post's slug.
func (a *app) demoAnswer(ctx context.Context, n *newsletter, q *questions.Queue, id int64, text string) (string, error) {
	if err := a.answer(ctx, n, q, []int64{id}, false, true); err != nil {
		return "", err
	}
	drafts, err := n.drafts().ByQuestion()
	if err != nil {
		return "", err
	}
	path := drafts[id]
	draft, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(draft), n.drafts().Placeholder(), text, 1)), 0o644); err != nil {
		return "", err
	}
	post, err := a.publish(ctx, n, q, path, "")
	if err != nil {
		return "", err
	}
	fmt.Fprintf(a.stdout, "Published %s, at %s\n", a.rel(n, post.Path), n.list().URL(post))
	return post.Slug, nil
}

// demoInbox opens the inbox on the demo's questions each time i is
// pressed, until ctx is done.
func (a *app) demoInbox(ctx context.Context, n *newsletter, db *sql.DB) error {
	for {
		key, err := readKey(ctx, a.stdin.(*os.File))
		if err != nil || ctx.Err() != nil {
			return err
		}
		if key != 'i' {
			continue
		}
		if err := a.inbox(ctx, n, db); err != nil {
			return err
		}
		fmt.Fprintln(a.stdout, "Back from the inbox: i opens it again, Ctrl-C stops the demo.")
	}
}

// editSettings sets keys ("table.key") of the settings file at path to
// values (strings), as a person edits the file init wrote: each key's line
// in its table is replaced, the rest of the file left as it is.
func editSettings(path string, values map[string]string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("settings: %w", err)
	}
	lines := strings.Split(string(data), "\n")
	table, done := "", map[string]bool{}
	keyLine := regexp.MustCompile(`^([a-z_]+)\s*=`)
	for i, line := range lines {
		if strings.HasPrefix(line, "[") {
			table = strings.Trim(strings.TrimSpace(line), "[]")
			continue
		}
		m := keyLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		if v, ok := values[table+"."+m[1]]; ok {
			lines[i] = m[1] + " = " + strconv.Quote(v)
			done[table+"."+m[1]] = true
		}
	}
	for k := range values {
		if !done[k] {
			return fmt.Errorf("settings: the settings file init wrote has no %s", k)
		}
	}
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		return fmt.Errorf("settings: %w", err)
	}
	return nil
}
