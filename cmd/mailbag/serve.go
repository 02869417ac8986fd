package main

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"time"

	"github.com/spf13/cobra"

	"mailbag/archive/indexsock"
	"mailbag/archive/searchlog"
	"mailbag/archive/site"
	"mailbag/publish/mailinglist"
)

func newServeCmd(a *app) *cobra.Command {
	var addr string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the archive site",
		Long: `Serve the archive site: the latest answers, a page per answer, the archive by
year, tags, search, an Atom feed and a sitemap, and the unsubscribe page the
links in mail lead to (with one-click unsubscribing, RFC 8058). Posts
published or edited while it runs appear within a second. Ctrl-C or SIGTERM
stops it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withDB(cmd.Context(), func(n *newsletter, db *sql.DB) error {
				ln, err := net.Listen("tcp", addr)
				if err != nil {
					return fmt.Errorf("serve: %w", err)
				}
				return a.serve(cmd.Context(), n, db, ln)
			})
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "address to listen on, host:port")
	return cmd
}

// How far Go's heap may grow past what serve keeps live before a
// collection (GOGC in the environment overrides it): as much again, Go's
// default, and minGCHeadroom at least; set when serve has started and
// again as what it keeps grows (retuneGC). What each buys is on
// BenchmarkServe (docs/benchmarks.md). At 10,000 posts (8 MB kept at the
// start) Go's default meant a collection every few searches, and a
// search's 99th percentile 1–2 ms slower than with 24 MB to grow into.
// Growing by three quarters rather than as much again saved 5% of serve's
// memory at 100,000 posts, and went: less than a tenth.
//
// While serve starts, opening the index and reading every post's front
// matter, what it keeps grows amid garbage: it collects at startGCPercent
// then. At 100,000 posts its peak memory (VmHWM) was 129–156 MB at Go's
// default, 96–103 MB at a quarter, the start up to a second longer.
const (
	minGCHeadroom  = 24 << 20
	startGCPercent = 25
)

// gcPercent returns the GOGC that lets a heap of live bytes grow by as
// much again, and by minGCHeadroom at least.
func gcPercent(live uint64) int {
	return max(100, int(100*minGCHeadroom/max(live, 1<<20)))
}

// liveHeap returns the bytes the heap holds live, after a collection.
func liveHeap() uint64 {
	runtime.GC()
	m := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(m)
	if m[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return m[0].Value.Uint64()
}

// page is a page served beside the site, linked from its header: the
// demo's page of the mail it sent.
type page struct {
	path, title string // path ends in "/"
	handler     http.HandlerFunc
}

// serve builds the site, with pages beside it, and serves it on ln until
// ctx is done. It prints the site's URL on a line of its own once it
// answers.
func (a *app) serve(ctx context.Context, n *newsletter, db *sql.DB, ln net.Listener, pages ...page) error {
	defer ln.Close()
	a.warnExamples(n)
	t, err := n.templates()
	if err != nil {
		return err
	}
	subs, err := a.subscriptions(ctx, n, db)
	if err != nil {
		return err
	}
	defer subs.p.Close()
	tuneGC := os.Getenv("GOGC") == ""
	if tuneGC {
		defer debug.SetGCPercent(debug.SetGCPercent(startGCPercent))
	}
	_, lock, err := a.reachIndex(ctx, n, 0)
	if err != nil {
		return err
	}
	defer lock.Release()
	x, err := a.openOwnIndex(n)
	if err != nil {
		return err
	}
	defer x.Close()
	searches, err := searchlog.Open(ctx, db, a.now, a.log)
	if err != nil {
		return err
	}
	defer searches.Close()
	so := n.siteOptions(site.Options{Index: x, Templates: t, Subscriptions: subs, Searches: searches, Log: a.log, Now: a.now,
		TrustedProxies: n.cfg.Serve.Proxies, RemoteImages: n.cfg.Serve.RemoteImages, SubscribingClosed: !subs.p.Open()})
	for _, p := range pages {
		so.Links = append(so.Links, site.NavLink{Title: p.title, URL: p.path})
	}
	s, err := site.New(so)
	if err != nil {
		return err
	}
	var handler http.Handler = s.Handler()
	if len(pages) > 0 {
		mux := http.NewServeMux()
		for _, p := range pages {
			mux.HandleFunc("GET "+p.path+"{$}", p.handler)
		}
		mux.Handle("/", s.Handler())
		handler = mux
	}
	s.Load()
	if tuneGC {
		debug.SetGCPercent(gcPercent(liveHeap()))
	}
	var sock net.Listener
	sockAddr, err := indexsock.Address(n.home.State())
	if err == nil {
		sock, err = indexsock.Listen(sockAddr)
	}
	if err != nil {
		return fmt.Errorf("serve: the commands' socket: %w", err)
	}
	fmt.Fprintf(a.stdout, "http://%s/\n", ln.Addr())
	servers := []func(context.Context) error{
		func(ctx context.Context) error { return site.Serve(ctx, ln, handler) },
		func(ctx context.Context) error {
			return indexsock.Serve(ctx, sock, indexsock.Options{Index: x, Posts: n.posts, Log: a.log, Changed: s.Changed})
		},
		func(ctx context.Context) error { s.Watch(ctx); return nil },
	}
	if tuneGC {
		servers = append(servers, func(ctx context.Context) error { retuneGC(ctx); return nil })
	}
	return serveBoth(ctx, servers...)
}

// retuneEvery is how often serve sets its GOGC again from what it keeps.
const retuneEvery = time.Second

// retuneGC sets the GOGC again every retuneEvery, until ctx is done, from
// the heap live at the last collection: what the site keeps grows as
// readers visit (the post pages it keeps whole, up to 32 MB), and a GOGC
// set for the 8 MB kept at the start of 10,000 posts (300: 24 MB to grow
// into) let the heap grow to four times the 30 MB kept after the
// benchmark's 2,000 pages: serve's own memory (BenchmarkServe's
// serve-anon-MB, 10,000 posts) was 138 MB after the load, and is 63 MB
// set again each second. Reading the figure costs microseconds.
func retuneGC(ctx context.Context) {
	t := time.NewTicker(retuneEvery)
	defer t.Stop()
	m := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	last := -1
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		metrics.Read(m)
		if m[0].Value.Kind() != metrics.KindUint64 {
			return
		}
		if p := gcPercent(m[0].Value.Uint64()); p != last {
			debug.SetGCPercent(p)
			last = p
		}
	}
}

// serveBoth runs the servers until ctx is done or one of them fails, then
// stops the others and returns the first error.
func serveBoth(ctx context.Context, servers ...func(context.Context) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make(chan error, len(servers))
	for _, s := range servers {
		go func() { errs <- s(ctx) }()
	}
	var first error
	for range servers {
		if err := <-errs; err != nil && first == nil {
			first = err
			cancel()
		}
	}
	return first
}

// subscriptions returns the subscriber list behind the site's pages; with no
// way to mail confirmations, subscribing is closed (said in the log). The
// caller closes it.
func (a *app) subscriptions(ctx context.Context, n *newsletter, db *sql.DB) (subscriptions, error) {
	t, err := n.templates()
	if err != nil {
		return subscriptions{}, err
	}
	list, err := mailinglist.NewSubscribers(ctx, db, a.now)
	if err != nil {
		return subscriptions{}, err
	}
	key, err := mailinglist.LoadSecret(filepath.Join(n.home.State(), "secret"))
	if err != nil {
		return subscriptions{}, err
	}
	o := mailinglist.SubscriptionsOptions{Subscribers: list, Key: key, Newsletter: n.list(), Templates: t, Log: a.log,
		PerHour: n.cfg.Serve.ConfirmationsPerHour}
	if sender, err := n.sender(ctx, nil, a); err != nil {
		a.log.Warn("subscribing on the site is closed: confirmations cannot be mailed", "err", err)
	} else {
		o.Mailer = sender
	}
	p, err := mailinglist.NewSubscriptions(o)
	if err != nil {
		return subscriptions{}, err
	}
	return subscriptions{p}, nil
}

// siteOptions returns o with what the settings say of the newsletter and its
// posts.
func (n *newsletter) siteOptions(o site.Options) site.Options {
	c := n.cfg.Newsletter
	o.Title, o.BaseURL, o.Author, o.Address = c.Title, c.BaseURL, c.Author, c.Address
	o.Posts = n.posts
	return o
}
