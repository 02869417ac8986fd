package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"mailbag/publish"
)

func newScheduleCmd(a *app) *cobra.Command {
	var (
		all    bool
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "schedule [list | cancel ID]",
		Short: "List or cancel the work scheduled with publish --at and send --at",
		Long: `List the work scheduled with publish --at and send --at that mailbag run has
still to do, in its order (--all: what it did, and what failed, too), or
cancel a job that has not started.`,
		Args: cobra.MaximumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case len(args) == 0 || (len(args) == 1 && args[0] == "list"):
				return a.withSchedule(cmd.Context(), func(n *newsletter, s *publish.Schedule) error {
					jobs, err := s.List(cmd.Context(), all)
					if err != nil {
						return err
					}
					if asJSON {
						return writeJobsJSON(a.stdout, jobs)
					}
					writeJobsText(a.stdout, jobs, n.cfg.Location)
					return nil
				})
			case len(args) == 2 && args[0] == "cancel":
				ids, err := parseIDs(args[1:])
				if err != nil {
					return usageError{fmt.Errorf("%q is not a job ID (see mailbag schedule)", args[1])}
				}
				return a.withSchedule(cmd.Context(), func(n *newsletter, s *publish.Schedule) error {
					if err := s.Cancel(cmd.Context(), ids[0]); err != nil {
						return err
					}
					fmt.Fprintf(a.stdout, "Cancelled %d.\n", ids[0])
					return nil
				})
			}
			return usageError{fmt.Errorf("schedule takes list, or cancel ID")}
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "the jobs done, failed and cancelled too")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the jobs as one JSON document")
	return cmd
}

// withSchedule finds the home and runs f with its schedule.
func (a *app) withSchedule(ctx context.Context, f func(n *newsletter, s *publish.Schedule) error) error {
	return a.withDB(ctx, func(n *newsletter, db *sql.DB) error {
		s, err := publish.NewSchedule(ctx, db, a.now)
		if err != nil {
			return err
		}
		return f(n, s)
	})
}

// jobJSON is the --json output; its shape is part of the command-line
// contract.
type jobJSON struct {
	ID       int64  `json:"id"`
	Kind     string `json:"kind"`
	Ref      string `json:"ref"`
	Slug     string `json:"slug"`
	At       string `json:"at"`
	Status   string `json:"status"`
	Finished string `json:"finished,omitempty"`
	Error    string `json:"error,omitempty"`
}

func writeJobsJSON(w io.Writer, jobs []publish.Job) error {
	out := make([]jobJSON, 0, len(jobs))
	for _, j := range jobs {
		o := jobJSON{ID: j.ID, Kind: string(j.Kind), Ref: j.Ref, Slug: j.Slug, At: j.At.Format(time.RFC3339), Status: j.Status, Error: j.Error}
		if !j.Finished.IsZero() {
			o.Finished = j.Finished.Format(time.RFC3339)
		}
		out = append(out, o)
	}
	return writeJSON(w, out)
}

func writeJobsText(w io.Writer, jobs []publish.Job, loc *time.Location) {
	if len(jobs) == 0 {
		fmt.Fprintln(w, "Nothing scheduled. (publish --at and send --at schedule work for mailbag run.)")
		return
	}
	for _, j := range jobs {
		fmt.Fprintf(w, "%4d  %s  %-9s %-7s %s", j.ID, atText(j.At.In(loc), "2006-01-02 15:04"), j.Status, j.Kind, j.Ref)
		if j.Error != "" {
			fmt.Fprintf(w, "  [%s]", oneLineText(j.Error, 80))
		}
		fmt.Fprintln(w)
	}
}

// atText returns t in layout, with its seconds after the minutes when it has
// any: a job given to the second is shown as it was given.
func atText(t time.Time, layout string) string {
	if t.Second() != 0 {
		layout = strings.Replace(layout, "15:04", "15:04:05", 1)
	}
	return t.Format(layout)
}
