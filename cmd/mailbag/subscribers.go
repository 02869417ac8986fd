package main

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	pathpkg "path"
	"path/filepath"
	"slices"
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
	var from string
	cmd := &cobra.Command{
		Use:   "import FILE",
		Short: "Add subscribers from a CSV file, or another platform's export",
		Long: `Add the subscribers of a CSV file. The header row names an email column, and
may name name, status, source, created and updated columns (as export
writes them: importing an export into a new home restores the list whole,
the unsubscribed, bounced and complained included); other columns are kept
as attributes.

The subscriber exports of Substack, Ghost (members CSV), Mailchimp (its
subscribed, unsubscribed and cleaned CSVs, or the zip holding them),
Buttondown (active and unsubscribed), beehiiv, Kit and listmonk are read
too, told by their columns (--from names one; a file whose columns are not
that platform's is refused): names and consent dates are
kept, and everyone the platform has as unsubscribed, bounced, cleaned,
complained or blocklisted is recorded so, never made active. A file with a
column that may say who left, in no layout mailbag knows, is refused.

Each line not added is reported with its number and reason; an address the
file says left is marked so; someone who left the list is never put back;
nothing is added twice.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var layout mailinglist.Layout
			if from != "" {
				l, err := mailinglist.ParseLayout(from)
				if err != nil {
					return fmt.Errorf("--from: %w", err)
				}
				layout = l
			}
			files, err := subscriberFiles(args[0])
			if err != nil {
				return err
			}
			return a.withSubscribers(cmd.Context(), func(_ *newsletter, s *mailinglist.Subscribers) error {
				lists := 0
				for _, f := range files {
					err := a.importSubscriberFile(cmd.Context(), s, f, layout)
					if len(files) > 1 && errors.Is(err, mailinglist.ErrNoEmailColumn) {
						// A platform's whole export: Substack's holds its
						// posts.csv beside the list.
						fmt.Fprintf(a.stdout, "%s: no email column, not a list of subscribers: left alone\n", f.name)
						continue
					}
					if err != nil {
						return err
					}
					lists++
				}
				if lists == 0 {
					return fmt.Errorf("%s: none of its CSV files is a list of subscribers (none has an email column)", args[0])
				}
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "the export's platform: "+strings.Join(layoutNames(), ", ")+" (told from the columns unless given)")
	return cmd
}

// layoutNames returns the names of the subscriber exports import reads.
func layoutNames() []string {
	out := make([]string, len(mailinglist.Layouts))
	for i, l := range mailinglist.Layouts {
		out[i] = string(l)
	}
	return out
}

// subscriberFile is one CSV file of a subscriber import: the file named,
// or one of the CSV files of the zip named.
type subscriberFile struct {
	name string // as shown: "export.zip:cleaned_members.csv"
	base string // its own file name
	data []byte
}

// maxSubscriberFile bounds a subscriber file read into memory, a CSV of
// a zip included: some millions of subscribers.
const maxSubscriberFile = 1 << 30

// subscriberFiles reads the file path, or each CSV file of the zip path
// in the order of their names.
func subscriberFiles(path string) ([]subscriberFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if !bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return []subscriberFile{{name: path, base: filepath.Base(path), data: data}}, nil
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("%s: not a zip file mailbag can read: %w", path, err)
	}
	var out []subscriberFile
	for _, f := range zr.File {
		base := pathpkg.Base(f.Name)
		if f.FileInfo().IsDir() || !strings.EqualFold(pathpkg.Ext(base), ".csv") || strings.HasPrefix(base, ".") || strings.HasPrefix(f.Name, "__MACOSX/") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", path, f.Name, err)
		}
		b, err := io.ReadAll(io.LimitReader(rc, maxSubscriberFile+1))
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", path, f.Name, err)
		}
		if len(b) > maxSubscriberFile {
			return nil, fmt.Errorf("%s: %s is over 1 GB unpacked; unpack it and import its CSV files one by one", path, f.Name)
		}
		out = append(out, subscriberFile{name: path + ":" + f.Name, base: base, data: b})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: the zip holds no CSV file; import the subscriber export's CSV files", path)
	}
	slices.SortFunc(out, func(x, y subscriberFile) int { return strings.Compare(x.name, y.name) })
	return out, nil
}

// importSubscriberFile imports one CSV file, reporting each line not
// added and a summary.
func (a *app) importSubscriberFile(ctx context.Context, s *mailinglist.Subscribers, f subscriberFile, from mailinglist.Layout) error {
	sum, err := s.Import(ctx, bytes.NewReader(f.data), mailinglist.ImportOptions{Source: "import:" + f.base, File: f.base, From: from}, func(l mailinglist.ImportLine) {
		if l.Result != "added" { // every line not added, and why
			fmt.Fprintf(a.stdout, "%s:%d: %s %s: %s\n", f.name, l.Line, l.Result, l.Email, l.Reason)
		}
	})
	if err != nil {
		return fmt.Errorf("%s: %w", f.name, err)
	}
	c := sum.Statuses
	fmt.Fprintf(a.stdout, "%s (read as %s's export): %d active, %d pending, %d unsubscribed, %d bounced, %d complained in the file\n",
		f.name, sum.Layout, c.Active, c.Pending, c.Unsubscribed, c.Bounced, c.Complained)
	fmt.Fprintf(a.stdout, "%d added, %d updated, %d already subscribed, %d skipped, %d bad\n", sum.Added, sum.Updated, sum.Already, sum.Skipped, sum.Bad)
	return nil
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
