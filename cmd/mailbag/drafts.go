package main

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"mailbag/publish"
)

// drafts returns the home's drafts folder, as the publish package sees it;
// Templates is set where drafts are written (answer).
func (n *newsletter) drafts() *publish.Drafts {
	return &publish.Drafts{
		Dir:      n.home.Drafts(),
		Location: n.cfg.Location,
		Signoff:  n.cfg.Newsletter.Signoff,
		Now:      n.now,
		Posts:    n.posts,
	}
}

func newDraftsCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "drafts",
		Short: "List the drafts in progress",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := a.open()
			if err != nil {
				return err
			}
			list, err := n.drafts().List()
			if err != nil {
				return err
			}
			if asJSON {
				return writeDraftsJSON(a.stdout, list, a, n)
			}
			if len(list) == 0 {
				fmt.Fprintln(a.stdout, "No drafts. (`mailbag answer ID` starts one.)")
				return nil
			}
			for _, d := range list {
				if d.Err != nil {
					fmt.Fprintf(a.stdout, "%s  %s  does not read: %v\n", d.Modified.In(n.cfg.Location).Format("2006-01-02 15:04"), a.rel(n, d.Path), d.Err)
					continue
				}
				fmt.Fprintf(a.stdout, "%s  %-40s  %4d words  questions %v  %s\n",
					d.Modified.In(n.cfg.Location).Format("2006-01-02 15:04"), oneLineText(d.Post.Title, 40), d.Words, d.Post.Questions, a.rel(n, d.Path))
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the drafts as one JSON document")
	return cmd
}

type draftJSON struct {
	Path      string  `json:"path"`
	Title     string  `json:"title"`
	Questions []int64 `json:"questions"`
	Edited    string  `json:"edited"`
	Words     int     `json:"words"`
	Error     string  `json:"error,omitempty"`
}

func writeDraftsJSON(w io.Writer, list []publish.Draft, a *app, n *newsletter) error {
	out := make([]draftJSON, 0, len(list))
	for _, d := range list {
		j := draftJSON{Path: a.rel(n, d.Path), Edited: d.Modified.Format(time.RFC3339), Words: d.Words, Questions: []int64{}}
		if d.Post != nil {
			j.Title = d.Post.Title
			if d.Post.Questions != nil {
				j.Questions = d.Post.Questions
			}
		}
		if d.Err != nil {
			j.Error = d.Err.Error()
		}
		out = append(out, j)
	}
	return writeJSON(w, out)
}
