package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"mailbag/publish/mailinglist"
)

func newSubscribersCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "subscribers",
		Short: "Manage the subscriber list",
		Long: `Manage who gets each answer. An address is unique whatever its case. Someone
who unsubscribed, bounced or complained is never put back by mailbag: not
by add, not by import.`,
	}
	cmd.AddCommand(
		newSubscribersAddCmd(a),
		newSubscribersRemoveCmd(a),
		newSubscribersListCmd(a),
		newSubscribersImportCmd(a),
		newSubscribersExportCmd(a),
	)
	return cmd
}

func newSubscribersAddCmd(a *app) *cobra.Command {
	var name string
	cmd := &cobra.Command{
		Use:   "add EMAIL...",
		Short: "Add subscribers (active at once: you vouch for their consent)",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withSubscribers(cmd.Context(), func(_ *newsletter, s *mailinglist.Subscribers) error {
				for _, e := range args {
					sub, added, err := s.Add(cmd.Context(), e, name, "cli", nil)
					if err != nil {
						return err
					}
					if added == mailinglist.AddedAlready {
						fmt.Fprintf(a.stdout, "%s is already subscribed (%s)\n", sub.Email, sub.Status)
					} else {
						fmt.Fprintf(a.stdout, "added %s\n", sub.Email)
					}
				}
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "the subscriber's name")
	return cmd
}

func newSubscribersRemoveCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "remove EMAIL...",
		Short: "Unsubscribe addresses (kept as unsubscribed, so that nothing adds them back)",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withSubscribers(cmd.Context(), func(_ *newsletter, s *mailinglist.Subscribers) error {
				for _, e := range args {
					if err := s.SetStatus(cmd.Context(), e, mailinglist.Unsubscribed); err != nil {
						return err
					}
					fmt.Fprintf(a.stdout, "unsubscribed %s\n", e)
				}
				return nil
			})
		},
	}
}

func newSubscribersListCmd(a *app) *cobra.Command {
	var (
		status string
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List subscribers",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			st := mailinglist.SubscriberStatus(status)
			switch st {
			case mailinglist.Pending, mailinglist.Active, mailinglist.Unsubscribed, mailinglist.Bounced, mailinglist.Complained:
			case "all":
				st = ""
			default:
				return usageError{fmt.Errorf("--status %q is not pending, active, unsubscribed, bounced, complained or all", status)}
			}
			return a.withSubscribers(cmd.Context(), func(n *newsletter, s *mailinglist.Subscribers) error {
				subs, err := s.List(cmd.Context(), st)
				if err != nil {
					return err
				}
				failures, err := s.Failures(cmd.Context())
				if err != nil {
					return err
				}
				if asJSON {
					return writeSubscribersJSON(a.stdout, subs, failures)
				}
				for _, sub := range subs {
					line := fmt.Sprintf("%-40s %-12s %3d  %s  %s", sub.Email, sub.Status, failures[sub.ID], sub.Created.In(n.cfg.Location).Format("2006-01-02"), sub.Name)
					if sub.StatusReason != "" {
						line += "  (" + sub.StatusReason + ")"
					}
					fmt.Fprintln(a.stdout, strings.TrimRight(line, " "))
				}
				fmt.Fprintf(a.stdout, "%s\n", plural(len(subs), "subscriber"))
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&status, "status", "active", "which: pending, active, unsubscribed, bounced, complained or all")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the list as one JSON document")
	return cmd
}

// subscriberJSON is the --json output; its shape is part of the
// command-line contract.
type subscriberJSON struct {
	Email   string `json:"email"`
	Name    string `json:"name"`
	Status  string `json:"status"`
	Created string `json:"created"`
	// Failures counts the sends that failed for the address for a reason
	// other than a missing mailbox (smtp.soft_bounce_limit).
	Failures int `json:"failures"`
	// Reason says why the address left the list, when a report or its
	// failures decided it.
	Reason string `json:"reason,omitempty"`
}

func writeSubscribersJSON(w io.Writer, subs []*mailinglist.Subscriber, failures map[int64]int) error {
	out := make([]subscriberJSON, 0, len(subs))
	for _, s := range subs {
		out = append(out, subscriberJSON{Email: s.Email, Name: s.Name, Status: string(s.Status), Created: s.Created.Format(time.RFC3339),
			Failures: failures[s.ID], Reason: s.StatusReason})
	}
	return writeJSON(w, out)
}

func newSubscribersImportCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "import FILE.csv",
		Short: "Add subscribers from a CSV file with a header row (email, name, ...)",
		Long: `Add the subscribers of a CSV file. The header row names an email column, and
may name name, status, source, created and updated columns (as export
writes them: importing an export into a new home restores the list whole,
the unsubscribed, bounced and complained included); other columns are kept
as attributes. Each line not added is reported with its number and reason;
an address the file says left is marked so; someone who left the list is
never put back; nothing is added twice.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer f.Close()
			return a.withSubscribers(cmd.Context(), func(_ *newsletter, s *mailinglist.Subscribers) error {
				sum, err := s.Import(cmd.Context(), f, "import:"+filepath.Base(args[0]), func(l mailinglist.ImportLine) {
					if l.Result != "added" { // every line not added, and why
						fmt.Fprintf(a.stdout, "%s:%d: %s %s: %s\n", args[0], l.Line, l.Result, l.Email, l.Reason)
					}
				})
				if err != nil {
					return fmt.Errorf("%s: %w", args[0], err)
				}
				fmt.Fprintf(a.stdout, "%d added, %d updated, %d already subscribed, %d skipped, %d bad\n", sum.Added, sum.Updated, sum.Already, sum.Skipped, sum.Bad)
				return nil
			})
		},
	}
}

func newSubscribersExportCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "export",
		Short: "Print every subscriber as CSV (import reads it back)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withSubscribers(cmd.Context(), func(_ *newsletter, s *mailinglist.Subscribers) error {
				return s.Export(cmd.Context(), a.stdout)
			})
		},
	}
}
