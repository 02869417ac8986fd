package main

import (
	"database/sql"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"mailbag/archive/searchlog"
)

func newSearchesCmd(a *app) *cobra.Command {
	var (
		failed bool
		asJSON bool
		limit  int
	)
	cmd := &cobra.Command{
		Use:   "searches",
		Short: "List what readers search for on the site",
		Long: `List the searches readers made on the site (mailbag serve) in the last 90
days, most frequent first: how many times, and how many answers the last one
found. --failed lists those that found nothing: the questions readers have
that the archive does not answer yet. The site keeps a search's words alone
(lower case, addresses and long numbers blanked), by day, for 90 days; no
address, IP or cookie of the reader.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if limit < 1 {
				return usageError{fmt.Errorf("--limit %d: give a number of searches, 1 or more", limit)}
			}
			return a.withDB(cmd.Context(), func(n *newsletter, db *sql.DB) error {
				l, err := searchlog.Open(cmd.Context(), db, a.now, a.log)
				if err != nil {
					return err
				}
				qs, err := l.Top(cmd.Context(), searchlog.TopOptions{Failed: failed, Limit: limit})
				if err != nil {
					return err
				}
				if asJSON {
					return writeSearchesJSON(a.stdout, qs)
				}
				writeSearchesText(a.stdout, qs, failed)
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&failed, "failed", false, "only the searches that found nothing")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the searches as one JSON document")
	cmd.Flags().IntVar(&limit, "limit", 50, "how many searches at most")
	return cmd
}

// searchesJSON is the --json output; its shape is part of the command-line
// contract.
type searchesJSON struct {
	Query string `json:"query"`
	Count int    `json:"count"`
	Hits  int    `json:"hits"`
	Last  string `json:"last"` // YYYY-MM-DD, UTC
}

func writeSearchesJSON(w io.Writer, qs []searchlog.Query) error {
	out := make([]searchesJSON, 0, len(qs))
	for _, q := range qs {
		out = append(out, searchesJSON{Query: q.Text, Count: q.Count, Hits: q.Hits, Last: q.Last.Format("2006-01-02")})
	}
	return writeJSON(w, out)
}

func writeSearchesText(w io.Writer, qs []searchlog.Query, failed bool) {
	if len(qs) == 0 {
		if failed {
			fmt.Fprintln(w, "Every search on the site in the last 90 days found answers.")
		} else {
			fmt.Fprintln(w, "No searches on the site in the last 90 days. (`mailbag serve` counts them.)")
		}
		return
	}
	fmt.Fprintf(w, "%6s  %5s  %-10s  %s\n", "times", "hits", "last", "query")
	for _, q := range qs {
		fmt.Fprintf(w, "%6d  %5d  %s  %s\n", q.Count, q.Hits, q.Last.Format("2006-01-02"), q.Text)
	}
}
