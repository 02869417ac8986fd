package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"time"

	"github.com/spf13/cobra"

	"mailbag/archive/site"
	"mailbag/internal/demo"
	"mailbag/internal/inbox"
	"mailbag/publish/mailinglist"
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
sent. It prints each step, then the site's URL; at a terminal, i opens the
inbox on the demo's questions. Ctrl-C stops it and removes the temporary
home (unless --keep).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o := demo.Options{Addr: addr, Keep: keep, Out: a.stdout, Log: a.log,
				Subscriptions: func(p *mailinglist.Subscriptions) site.Subscriptions { return subscriptions{p} }}
			if isTerminal(a.stdin) && isTerminal(a.stdout) {
				o.Inbox = a.demoInbox
				o.Editor = func(path string) *exec.Cmd { return editorCmd(cmd.Context(), path) }
			}
			return demo.Run(cmd.Context(), o)
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "address for the site, host:port (port 0 picks one)")
	cmd.Flags().BoolVar(&keep, "keep", false, "keep the temporary home afterwards")
	return cmd
}

// demoInbox opens the inbox on the demo's questions each time i is
// pressed, until ctx is done.
func (a *app) demoInbox(ctx context.Context, src inbox.Source) error {
	for {
		key, err := readKey(ctx, a.stdin.(*os.File))
		if err != nil || ctx.Err() != nil {
			return err
		}
		if key != 'i' {
			continue
		}
		if err := a.runInbox(ctx, src, time.UTC); err != nil {
			return err
		}
		fmt.Fprintln(a.stdout, "Back from the inbox: i opens it again, Ctrl-C stops the demo.")
	}
}
