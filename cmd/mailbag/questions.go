package main

import (
	"fmt"
	"io"
	"mailbag/questions"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

func newQuestionsCmd(a *app) *cobra.Command {
	var (
		status string
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "questions",
		Short: "List the question queue",
		Long: `List questions, oldest first: the new ones by default, or those with
--status answered, rejected, ignored or all. Ignored is the mail that is not
a question (auto-replies, list mail, bounces and other reports,
follow-ups), with why: it is numbered apart, m1, m2, ..., and takes no
question number.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var st questions.Status
			switch status {
			case "new", "answered", "rejected", "ignored":
				st = questions.Status(status)
			case "all":
			default:
				return usageError{fmt.Errorf("--status %q is not new, answered, rejected, ignored or all", status)}
			}
			return a.withQueue(cmd.Context(), func(n *newsletter, q *questions.Queue) error {
				qs, err := q.List(cmd.Context(), st)
				if err != nil {
					return err
				}
				if asJSON {
					return writeQuestionsJSON(a.stdout, qs)
				}
				writeQuestionsText(a.stdout, qs, status, n.cfg.Location)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&status, "status", "new", "which questions: new, answered, rejected, ignored or all")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the questions as one JSON document")
	return cmd
}

// questionJSON is the --json output; its shape is part of the command-line
// contract.
type questionJSON struct {
	ID int64 `json:"id"`
	// Ref is what the commands take for it: the number, or m and the
	// number for mail that is not a question.
	Ref      string `json:"ref"`
	Status   string `json:"status"`
	Kind     string `json:"kind,omitempty"`
	Reason   string `json:"reason,omitempty"`
	Received string `json:"received"`
	Subject  string `json:"subject"`
	Text     string `json:"text"`
	From     string `json:"from"`
	// FollowUps counts a question's follow-ups; Thread is the question a
	// follow-up (kind "follow-up") follows.
	FollowUps int   `json:"follow_ups"`
	Thread    int64 `json:"thread,omitempty"`
	// Attachments are the files it came with: name, type, size in bytes.
	Attachments []questions.Attachment `json:"attachments,omitempty"`
}

func writeQuestionsJSON(w io.Writer, qs []*questions.Question) error {
	out := make([]questionJSON, 0, len(qs))
	for _, q := range qs {
		out = append(out, questionJSON{
			ID: q.ID, Ref: ref(q), Status: string(q.Status), Kind: string(q.Kind), Reason: q.Reason,
			Received: q.Received.Format(time.RFC3339), Subject: q.Subject, Text: q.Text, From: q.Sender(),
			FollowUps: q.FollowUps, Thread: q.Thread, Attachments: q.Attachments,
		})
	}
	return writeJSON(w, out)
}

func writeQuestionsText(w io.Writer, qs []*questions.Question, status string, loc *time.Location) {
	if len(qs) == 0 {
		if status == "new" {
			fmt.Fprintln(w, "No new questions. (`mailbag ingest` fetches them.)")
		} else {
			fmt.Fprintf(w, "No questions with status %s.\n", status)
		}
		return
	}
	for _, q := range qs {
		subject := q.Subject
		if subject == "" {
			subject = "(no subject)"
		}
		fmt.Fprintf(w, "%4s  %s  %-9s %s", ref(q), q.Received.In(loc).Format("2006-01-02 15:04"), q.Status, oneLineText(subject, 60))
		switch q.Status {
		case questions.StatusIgnored, questions.StatusRejected:
			fmt.Fprintf(w, "  [%s]", oneLineText(q.Reason, 80))
		default:
			fmt.Fprintf(w, "  (%s)", q.Sender())
			if q.FollowUps > 0 {
				fmt.Fprintf(w, "  +%s", plural(q.FollowUps, "follow-up"))
			}
			if q.Thread != 0 {
				fmt.Fprintf(w, "  [follows up %d]", q.Thread)
			}
		}
		fmt.Fprintln(w)
	}
}

// oneLineText folds spaces and cuts s to n runes.
func oneLineText(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
