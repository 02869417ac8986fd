package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"mailbag/archive"
	"mailbag/publish"
)

// maxRequestBody bounds what a request may send.
const maxRequestBody = 64 << 10

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
			n, err := a.open()
			if err != nil {
				return err
			}
			x, err := a.openIndex(n)
			if err != nil {
				return err
			}
			defer x.Close()
			site, err := archive.NewSite(n.siteConfig(), n.posts, x, a.log)
			if err != nil {
				return err
			}
			mux := http.NewServeMux()
			site.Register(mux)
			return a.withSubscribers(cmd.Context(), func(n *newsletter, subs *publish.Subscribers) error {
				key, err := publish.LoadSecret(filepath.Join(n.home.State(), "secret"))
				if err != nil {
					return err
				}
				c := n.cfg.Newsletter
				h, err := publish.NewHandlers(subs, key, c.Title, c.Address, n.home.Templates(), a.log)
				if err != nil {
					return err
				}
				h.BaseURL = c.BaseURL
				if sender, err := n.sender(cmd.Context(), nil, a); err != nil {
					a.log.Warn("subscribing on the site is closed: confirmations cannot be mailed", "err", err)
				} else {
					h.Mailer = sender
				}
				h.Register(mux)
				return serve(cmd.Context(), a, addr, archive.SecurityHeaders(http.MaxBytesHandler(mux, maxRequestBody)))
			})
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "address to listen on, host:port")
	return cmd
}

// siteConfig is what the site says of the newsletter.
func (n *newsletter) siteConfig() archive.SiteConfig {
	c := n.cfg.Newsletter
	return archive.SiteConfig{Title: c.Title, BaseURL: c.BaseURL, Author: c.Author, Address: c.Address, Templates: n.home.Templates()}
}

// serve runs h on addr until ctx is done, then shuts down gracefully. It
// prints the site's URL on a line of its own once it listens.
func serve(ctx context.Context, a *app, addr string, h http.Handler) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	fmt.Fprintf(a.stdout, "http://%s/\n", ln.Addr())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return fmt.Errorf("serve: shut down: %w", err)
	}
	if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}
