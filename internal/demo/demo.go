// Package demo runs the whole pipeline in one process with nothing
// installed: go-imap's in-memory IMAP server holding a few reader
// questions, go-smtp's server keeping what is sent, and the real code in
// between (ingest, answer, publish, send) in a temporary newsletter home,
// then the archive site, with a page of the mail that was sent.
package demo

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"html"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"mailbag/archive"
	"mailbag/archive/search"
	"mailbag/archive/site"
	"mailbag/ingest"
	"mailbag/internal/home"
	"mailbag/internal/inbox"
	"mailbag/internal/memserver"
	"mailbag/internal/sqlitedb"
	"mailbag/publish"
	"mailbag/publish/delivery"
	"mailbag/publish/mailinglist"
	"mailbag/questions"
	"mailbag/templates"
)

//go:embed questions/*.eml seed.md
var files embed.FS

// answers are what the demo's author writes into the drafts, by question.
var answers = []string{
	"Yes, and it is kinder than it feels. Ask in private, and ask about the process, not the person: \"I noticed a few changes went in without review; is that deliberate, or should we set up branch protection?\"\n\nSenior people usually welcome a question asked in good faith. If they do not, that tells you something about the team, and your manager should hear about it.",
	"It is a two-way door more often than people say. Take the role for a fixed time, say a year, and agree with your manager what success looks like and what happens if you want to go back.\n\nYou will write less code. Keep a small, real piece of it, and spend the rest making your team's code better.",
}

// Options configures a demo run.
type Options struct {
	Addr string    // where the site listens; "127.0.0.1:0" picks a port
	Keep bool      // keep the temporary home afterwards
	Out  io.Writer // where the steps are told
	Log  *slog.Logger
	// Subscriptions makes the site's subscriber pages from the demo's
	// list (cmd fills it: the site and publish know nothing of each
	// other); nil closes subscribing.
	Subscriptions func(*mailinglist.Subscriptions) site.Subscriptions
	// Inbox, when set (at a terminal), runs the inbox on the demo's
	// questions each time the person asks, until ctx is done: cmd fills
	// it with the keypress and `mailbag inbox`'s program.
	Inbox func(ctx context.Context, src inbox.Source) error
	// Editor is the author's editor on a draft, for the inbox's answer
	// (cmd's, as `mailbag answer` runs it).
	Editor func(path string) *exec.Cmd
}

// Run runs the demo until ctx is done. It prints each step, then the site's
// URL on a line of its own once the site answers.
func Run(ctx context.Context, o Options) error {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	say := func(format string, args ...any) { fmt.Fprintf(o.Out, format+"\n", args...) }
	dir, err := os.MkdirTemp("", "mailbag-demo")
	if err != nil {
		return err
	}
	if o.Keep {
		defer say("Stopped. The demo home is kept in %s", dir)
	} else {
		defer func() {
			if err := os.RemoveAll(dir); err != nil {
				say("Stopped. The demo home %s could not be removed: %v", dir, err)
				return
			}
			say("Stopped. The demo home %s is removed (--keep keeps it).", dir)
		}()
	}
	h, err := home.Init(dir)
	if err != nil {
		return err
	}
	say("1. A newsletter home in %s", h.Dir)

	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer ln.Close()
	siteURL := "http://" + ln.Addr().String()
	nl := mailinglist.Newsletter{Title: "Ask Jim", Address: "ask@example.org", BaseURL: siteURL}
	loc := time.UTC
	t, err := templates.Load(templates.Options{Funcs: publish.TemplateFuncs})
	if err != nil {
		return err
	}

	db, err := sqlitedb.Open(h.Database())
	if err != nil {
		return err
	}
	defer db.Close()
	posts := &archive.Posts{Dir: h.Posts(), Location: loc}
	seed, _ := files.ReadFile("seed.md")
	if err := os.WriteFile(filepath.Join(h.Posts(), "2018-06-20-a-product-manager-stepped-on-my-toe.md"), seed, 0o644); err != nil {
		return err
	}

	q, err := ingestQuestions(ctx, db, h, say)
	if err != nil {
		return err
	}
	x, _, err := search.OpenIndex(h.Index(), posts)
	if err != nil {
		return err
	}
	defer x.Close()
	if err := answerTwo(ctx, q, posts, x, h, t, say); err != nil {
		return err
	}
	sink, stopSink, err := memserver.NewSMTPSink(false)
	if err != nil {
		return err
	}
	defer stopSink()
	subs, err := sendAnswers(ctx, db, h, posts, nl, t, sink, say)
	if err != nil {
		return err
	}
	return serveSite(ctx, ln, h, nl, q, posts, x, t, subs, sink, o, say)
}

// ingestQuestions starts the in-memory IMAP server with the demo's
// questions and ingests them.
func ingestQuestions(ctx context.Context, db *sql.DB, h home.Home, say func(string, ...any)) (*questions.Queue, error) {
	imap, stop, err := memserver.NewIMAP()
	if err != nil {
		return nil, err
	}
	defer stop()
	names, _ := fs.Glob(files, "questions/*.eml")
	for _, name := range names {
		raw, _ := files.ReadFile(name)
		if err := imap.Deliver([]byte(strings.ReplaceAll(string(raw), "\n", "\r\n"))); err != nil {
			return nil, err
		}
	}
	q, err := questions.NewQueue(ctx, db, nil)
	if err != nil {
		return nil, err
	}
	in := ingest.New(q, ingest.Options{
		Server:     ingest.Server{Address: imap.Addr, Security: "none", Username: imap.Username, Password: imap.Password, Mailbox: "INBOX"},
		MailDir:    h.Mail(),
		OwnAddress: "ask@example.org",
	})
	sum, err := in.Run(ctx)
	if err != nil {
		return nil, err
	}
	say("2. Ingested %d messages over IMAP: %d questions, %d follow-up that joined its question, %d set aside (an out-of-office reply)", len(names), sum.New, sum.FollowUps, sum.Ignored)
	return q, nil
}

// answerTwo answers the first two new questions: a draft from the
// template, the demo's answer written in, published.
func answerTwo(ctx context.Context, q *questions.Queue, posts *archive.Posts, x *search.Index, h home.Home, t *templates.Set, say func(string, ...any)) error {
	news, err := q.List(ctx, questions.StatusNew)
	if err != nil {
		return err
	}
	drafts := &publish.Drafts{Dir: h.Drafts(), Signoff: "All the best,\n\n-- Jim", Templates: t}
	p := &publish.Publisher{Drafts: drafts, Posts: posts, Index: x, Queue: q}
	for i, question := range news[:min(2, len(news))] {
		related, err := x.Related(ctx, question.Subject+" "+question.Text, 5)
		if err != nil {
			return err
		}
		path, err := drafts.Create([]*questions.Question{question}, related)
		if err != nil {
			return err
		}
		draft, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		draft = []byte(strings.Replace(string(draft), publish.Placeholder, answers[i], 1))
		if err := os.WriteFile(path, draft, 0o644); err != nil {
			return err
		}
		post, err := p.Publish(ctx, path, time.Time{}) // dated now, by the drafts' clock
		if err != nil {
			return err
		}
		say("3. Answered question %d, %q: published %s", question.ID, question.Subject, filepath.Base(post.Path))
	}
	return nil
}

// sendAnswers mails the two answers to three demo subscribers through the
// in-process SMTP server.
func sendAnswers(ctx context.Context, db *sql.DB, h home.Home, posts *archive.Posts, nl mailinglist.Newsletter, t *templates.Set, sink *memserver.SMTPSink, say func(string, ...any)) (*mailinglist.Subscribers, error) {
	subs, err := mailinglist.NewSubscribers(ctx, db, nil)
	if err != nil {
		return nil, err
	}
	for _, e := range []string{"Ana <ana@example.net>", "Bo <bo@example.net>", "Cy <cy@example.net>"} {
		if _, _, err := subs.Add(ctx, e, "", "demo", nil); err != nil {
			return nil, err
		}
	}
	deliveries, err := delivery.NewDeliveries(ctx, db, delivery.DeliveriesOptions{Dir: h.State()})
	if err != nil {
		return nil, err
	}
	key, err := mailinglist.LoadSecret(filepath.Join(h.State(), "secret"))
	if err != nil {
		return nil, err
	}
	host, port, _ := net.SplitHostPort(sink.Addr)
	p, _ := strconv.Atoi(port)
	sender := &delivery.Sender{SMTP: delivery.SMTP{Host: host, Port: p, Security: "none"}, Deliveries: deliveries}
	list, _, err := posts.List()
	if err != nil {
		return nil, err
	}
	for _, post := range list[:min(2, len(list))] {
		r, err := delivery.Render(nl, post, key, t)
		if err != nil {
			return nil, err
		}
		sum, err := sender.Send(ctx, r, delivery.Retry{})
		if err != nil {
			return nil, err
		}
		say("4. Sent %q to %d subscribers", post.Title, sum.Sent)
	}
	return subs, nil
}

// serveSite serves the archive, the subscriber pages and a page of the
// sent mail until ctx is done, with the same timeouts and limits as
// `mailbag serve`.
func serveSite(ctx context.Context, ln net.Listener, h home.Home, nl mailinglist.Newsletter, q *questions.Queue, posts *archive.Posts, x *search.Index, t *templates.Set, subs *mailinglist.Subscribers, sink *memserver.SMTPSink, o Options, say func(string, ...any)) error {
	key, err := mailinglist.LoadSecret(filepath.Join(h.State(), "secret"))
	if err != nil {
		return err
	}
	so := site.Options{Title: nl.Title, BaseURL: nl.BaseURL, Author: "Jim", Address: nl.Address, Posts: posts, Index: x, Templates: t, Log: o.Log,
		Links: []site.NavLink{{Title: "Mail sent", URL: "/demo/mail/"}}}
	if o.Subscriptions != nil {
		p, err := mailinglist.NewSubscriptions(mailinglist.SubscriptionsOptions{Subscribers: subs, Key: key, Newsletter: nl, Templates: t, Log: o.Log})
		if err != nil {
			return err
		}
		defer p.Close()
		so.Subscriptions = o.Subscriptions(p)
	}
	s, err := site.New(so)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /demo/mail/{$}", func(w http.ResponseWriter, r *http.Request) { mailPage(w, sink) })
	mux.Handle("/", s.Handler())
	say("5. The archive site (with /ask, linked from its header), and the %d messages sent at %s/demo/mail/", sink.Count(), nl.BaseURL)
	if o.Inbox != nil {
		say("6. Press i for the inbox: the question still waiting, with its follow-up, beside past answers (q there comes back here).")
	} else {
		say("6. The inbox: run the demo at a terminal, and i opens it on the question still waiting")
	}
	say("Ctrl-C stops the demo.")
	say("%s/", nl.BaseURL)
	if o.Inbox != nil {
		go func() {
			if err := o.Inbox(ctx, inboxSource{q: q, x: x, posts: posts, h: h, t: t, editor: o.Editor}); err != nil && ctx.Err() == nil {
				say("The inbox stopped: %v", err)
			}
		}()
	}
	return site.Serve(ctx, ln, mux)
}

// mailPage shows the messages the demo sent, as text.
func mailPage(w http.ResponseWriter, sink *memserver.SMTPSink) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	var b strings.Builder
	b.WriteString("<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>Mail sent by the demo</title><link rel=stylesheet href=/style.css></head><body><main><h1>Mail sent by the demo</h1>")
	for i, m := range sink.Messages() {
		var text strings.Builder
		if err := delivery.PrintReadable(&text, m.Data); err != nil {
			text.WriteString(string(m.Data)) // not one of ours: as it came
		}
		fmt.Fprintf(&b, "<h2>%d. To %s</h2><pre style=\"white-space:pre-wrap\">%s</pre>", i+1, html.EscapeString(strings.Join(m.To, ", ")), html.EscapeString(text.String()))
	}
	b.WriteString("</main></body></html>")
	_, _ = io.WriteString(w, b.String())
}
