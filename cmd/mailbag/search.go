package main

import (
	"errors"
	"fmt"
	"html"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"mailbag/archive/search"
	"mailbag/internal/visible"
)

func newSearchCmd(a *app) *cobra.Command {
	var (
		asJSON bool
		page   int
	)
	cmd := &cobra.Command{
		Use:   "search QUERY",
		Short: "Search the archive",
		Long: `Search the published answers. Words search the title and the body (a match in
the title counts more); English word forms match ("toes" finds "toe").

  product manager        either word, best matches first
  "product manager"      the phrase
  +manager -sales        must have manager, must not have sales
  title:toe  tag:career  one field (title, body, tag, date)
  date:>"2020-01-01"     a date range
  manag*  mangaer~1      a wildcard, a fuzzy match`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageError{errors.New("search needs words to look for: mailbag search WORDS (mailbag help search shows the query syntax)")}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if page < 1 {
				return usageError{fmt.Errorf("--page %d: pages start at 1", page)}
			}
			n, err := a.open()
			if err != nil {
				return err
			}
			x, err := a.openIndex(cmd.Context(), n)
			if err != nil {
				return err
			}
			defer x.Close()
			res, err := x.Search(cmd.Context(), search.Query{Text: strings.Join(args, " "), Page: page})
			if err != nil {
				return err
			}
			if asJSON {
				return writeSearchJSON(a.stdout, res)
			}
			if res.Total > 0 && len(res.Hits) == 0 {
				return usageError{fmt.Errorf("search: there is no page %d: “%s” has %s, on %s", page, strings.Join(args, " "), plural(res.Total, "answer"), plural(res.Pages(), "page"))}
			}
			writeSearchText(a.stdout, res, strings.Join(args, " "), isTerminal(a.stdout))
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the results as one JSON document")
	cmd.Flags().IntVar(&page, "page", 1, "page of results to show (10 a page)")
	return cmd
}

// searchJSON is the --json output; its shape is part of the command-line
// contract.
type searchJSON struct {
	Total      int       `json:"total"` // every hit, counted exactly
	Page       int       `json:"page"`
	Pages      int       `json:"pages"`
	Hits       []hitJSON `json:"hits"`
	Suggestion string    `json:"suggestion,omitempty"`
	TooCommon  bool      `json:"too_common,omitempty"` // search.Results.TooCommon
}

type hitJSON struct {
	Slug      string   `json:"slug"`
	Title     string   `json:"title"`
	Date      string   `json:"date"`
	Score     float64  `json:"score"`
	Fragments []string `json:"fragments"`
}

func writeSearchJSON(w io.Writer, res *search.Results) error {
	out := searchJSON{Total: res.Total, Page: res.Page, Pages: res.Pages(), Hits: []hitJSON{}, Suggestion: res.Suggestion, TooCommon: res.TooCommon}
	for _, h := range res.Hits {
		frags := h.Fragments
		if frags == nil {
			frags = []string{}
		}
		out.Hits = append(out.Hits, hitJSON{
			Slug: h.Slug, Title: h.Title, Date: h.Date.Format(time.RFC3339),
			Score: h.Score, Fragments: frags,
		})
	}
	return writeJSON(w, out)
}

func writeSearchText(w io.Writer, res *search.Results, query string, color bool) {
	if res.Total == 0 {
		fmt.Fprintf(w, "No answers match “%s”.\n", query)
		if res.TooCommon {
			fmt.Fprintln(w, "Every word of that search is too common to be searched for; add a rarer word you remember from the answer.")
		}
		if res.Suggestion != "" {
			fmt.Fprintf(w, "Did you mean: %s\n", res.Suggestion)
		}
		return
	}
	noun := "answers match"
	if res.Total == 1 {
		noun = "answer matches"
	}
	fmt.Fprintf(w, "%d %s “%s” (page %d of %d)\n", res.Total, noun, query, res.Page, res.Pages())
	fw := w // the fragments' lines: bold through the terminal's own writer
	if color {
		fw = raw(w)
	}
	for _, h := range res.Hits {
		fmt.Fprintf(w, "\n%s  %s\n    %s\n", h.Date.Format("2006-01-02"), h.Title, h.Slug)
		for _, f := range h.Fragments {
			fmt.Fprintf(fw, "    %s\n", fragmentText(f, color))
		}
	}
	if res.Page < res.Pages() {
		fmt.Fprintf(w, "\nMore: --page %d\n", res.Page+1)
	}
}

// fragmentText turns an HTML fragment into terminal text on one line, its
// text shown safely (visible.Line): matches in bold on a terminal, else in
// plain text.
func fragmentText(f string, color bool) string {
	on, off := "", ""
	if color {
		on, off = "\x1b[1m", "\x1b[0m"
	}
	const markOn, markOff = "\ue000", "\ue001" // private use: kept as they are
	f = strings.NewReplacer("<mark>", markOn, "</mark>", markOff).Replace(f)
	f = visible.Line(html.UnescapeString(f))
	return strings.NewReplacer(markOn, on, markOff, off).Replace(f)
}
