package main

import (
	"database/sql"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"mailbag/publish/delivery"
	"mailbag/questions"
)

func newSendsCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "sends [SLUG]",
		Short: "Show what came back from each send",
		Long: `Show, for each post sent (or the one named), when its send started and what
came of it: how many messages the relay accepted (sent), refused (failed),
were handed over without an answer (unconfirmed) or are still to send
(pending); and, from the reports ingest read since, how many addresses
bounced or complained, and how many recipients unsubscribed before the next
send. Counts only: nothing about any one reader, and no tracking. Reports
are weighed first, as ingest does.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			slug := ""
			if len(args) == 1 {
				slug = args[0]
			}
			return a.withDB(cmd.Context(), func(n *newsletter, db *sql.DB) error {
				ctx := cmd.Context()
				q, err := questions.NewQueue(ctx, db, a.now)
				if err != nil {
					return err
				}
				if err := a.applyReports(ctx, n, db, q); err != nil {
					return err
				}
				d, err := delivery.NewDeliveries(ctx, db, delivery.DeliveriesOptions{Dir: n.home.State(), Now: a.now})
				if err != nil {
					return err
				}
				sends, err := d.Sends(ctx, slug)
				if err != nil {
					return err
				}
				if slug != "" && len(sends) == 0 {
					return fmt.Errorf("sends: %s was never sent (mailbag sends lists those that were)", slug)
				}
				if asJSON {
					return writeSendsJSON(a.stdout, sends)
				}
				writeSendsText(a.stdout, sends, n.cfg.Location)
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the sends as one JSON document")
	return cmd
}

// sendJSON is the --json output; its shape is part of the command-line
// contract.
type sendJSON struct {
	Slug         string `json:"slug"`
	Started      string `json:"started"`
	Sent         int    `json:"sent"`
	Failed       int    `json:"failed"`
	Unconfirmed  int    `json:"unconfirmed"`
	Pending      int    `json:"pending"`
	Bounced      int    `json:"bounced"`
	Complained   int    `json:"complained"`
	Unsubscribed int    `json:"unsubscribed"`
}

func writeSendsJSON(w io.Writer, sends []delivery.SendReport) error {
	out := make([]sendJSON, 0, len(sends))
	for _, s := range sends {
		out = append(out, sendJSON{Slug: s.Slug, Started: s.Started.UTC().Format(time.RFC3339), Sent: s.Sent, Failed: s.Failed,
			Unconfirmed: s.Unconfirmed, Pending: s.Pending, Bounced: s.Bounced, Complained: s.Complained, Unsubscribed: s.Unsubscribed})
	}
	return writeJSON(w, out)
}

func writeSendsText(w io.Writer, sends []delivery.SendReport, loc *time.Location) {
	if len(sends) == 0 {
		fmt.Fprintln(w, "no post has been sent yet")
		return
	}
	fmt.Fprintf(w, "%-16s %6s %6s %11s %7s %7s %10s %12s  %s\n", "started", "sent", "failed", "unconfirmed", "pending", "bounced", "complained", "unsubscribed", "post")
	for _, s := range sends {
		fmt.Fprintf(w, "%-16s %6d %6d %11d %7d %7d %10d %12d  %s\n", s.Started.In(loc).Format("2006-01-02 15:04"),
			s.Sent, s.Failed, s.Unconfirmed, s.Pending, s.Bounced, s.Complained, s.Unsubscribed, s.Slug)
	}
}
