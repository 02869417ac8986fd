package main

import (
	"github.com/spf13/cobra"

	"mailbag/archive/site"
	"mailbag/internal/demo"
	"mailbag/publish"
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
sent. It prints each step, then the site's URL. Ctrl-C stops it and removes
the temporary home (unless --keep).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return demo.Run(cmd.Context(), demo.Options{Addr: addr, Keep: keep, Out: a.stdout, Log: a.log,
				Subscriptions: func(p *publish.Subscriptions) site.Subscriptions { return subscriptions{p} }})
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "address for the site, host:port (port 0 picks one)")
	cmd.Flags().BoolVar(&keep, "keep", false, "keep the temporary home afterwards")
	return cmd
}
