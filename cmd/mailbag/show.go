package main

import (
	"context"
	"fmt"
	"io"
	"mailbag/ingest"
	"mailbag/ingest/mailmsg"
	"mailbag/internal/visible"
	"mailbag/publish"
	"mailbag/questions"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
)

func newShowCmd(a *app) *cobra.Command {
	var saveDir string
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show a question and related past answers",
		Long: `Show question ID: its subject, when it came, who sent it (for your eyes only),
the files it came with, its text, the asker's follow-ups in order (their
replies to it, to its acknowledgement or to the notice that it was
answered), and up to five past answers on the same subject.

--save DIR writes the files it came with into DIR (made if need be), each
under its name made safe (no folders, no leading dot), never over a file
that is there.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, other, err := parseRef(args[0])
			if err != nil {
				return err
			}
			return a.withQueue(cmd.Context(), func(n *newsletter, q *questions.Queue) error {
				get := q.Get
				if other {
					get = q.Other
				}
				question, err := get(cmd.Context(), id)
				if err != nil {
					return err
				}
				if saveDir != "" {
					return a.saveAttachments(n, question, saveDir)
				}
				return a.show(cmd.Context(), n, q, question)
			})
		},
	}
	cmd.Flags().StringVar(&saveDir, "save", "", "write the files the question came with into this folder")
	return cmd
}

// show prints question, its follow-ups and the past answers related to
// it; of other mail, what it is and why it is not a question.
func (a *app) show(ctx context.Context, n *newsletter, q *questions.Queue, question *questions.Question) error {
	w := a.stdout
	if question.Status == questions.StatusIgnored {
		fmt.Fprintf(w, "Mail %s (%s: not a question)\n", ref(question), question.Kind)
	} else {
		fmt.Fprintf(w, "Question %d (%s)\n", question.ID, question.Status)
	}
	if question.Reason != "" {
		fmt.Fprintf(w, "Why:      %s\n", question.Reason)
	}
	fmt.Fprintf(w, "Subject:  %s\n", question.Subject)
	fmt.Fprintf(w, "Received: %s\n", question.Received.In(n.cfg.Location).Format("Mon 2 Jan 2006 15:04"))
	fmt.Fprintf(w, "From:     %s (private: never published)\n", question.Sender())
	if question.AnswerSlug != "" {
		fmt.Fprintf(w, "Answered: %s\n", question.AnswerSlug)
	}
	if post := publish.RepliesTo(n.posts, question.Subject); post != nil {
		fmt.Fprintf(w, "Replies:  to the post %q, %s\n", post.Title, n.list().URL(post))
	}
	if question.Thread != 0 && question.Kind != questions.KindFollowUp {
		// A reply to a question answered or set aside: asked again.
		if root, err := q.Get(ctx, question.Thread); err == nil {
			how := string(root.Status)
			if root.AnswerSlug != "" {
				how = "answered in " + root.AnswerSlug
				if post, err := n.posts.FindNamed(root.AnswerSlug); err == nil {
					how = "answered at " + n.list().URL(post)
				}
			}
			fmt.Fprintf(w, "Follows:  question %d, %q (%s)\n", root.ID, root.Subject, how)
		}
	}
	for i, at := range question.Attachments {
		label := "Attached:"
		if i > 0 {
			label = ""
		}
		fmt.Fprintf(w, "%-9s %s (%s, %s)\n", label, at.Name, at.Type, size(uint64(at.Size)))
	}
	if len(question.Attachments) > 0 {
		fmt.Fprintf(w, "          (mailbag show %s --save DIR writes them out)\n", ref(question))
	}
	fmt.Fprintf(w, "\n%s\n", indent(question.Text, "    "))
	if question.Status == questions.StatusIgnored {
		if question.Kind == questions.KindFollowUp {
			fmt.Fprintf(w, "\nIt follows up question %d: mailbag show %d\n", question.Thread, question.Thread)
		} else {
			fmt.Fprintf(w, "\nA reader's question after all? mailbag reopen %s\n", ref(question))
		}
		return nil
	}
	follow, err := q.FollowUps(ctx, question.ID)
	if err != nil {
		return err
	}
	for i, f := range follow {
		fmt.Fprintf(w, "\nFollow-up %d of %d (%s), received %s:\n\n%s\n", i+1, len(follow), called(f),
			f.Received.In(n.cfg.Location).Format("Mon 2 Jan 2006 15:04"), indent(f.Text, "    "))
	}
	related, err := a.related(ctx, n, question)
	if err != nil {
		return err
	}
	if len(related) == 0 {
		fmt.Fprintln(w, "\nNo related past answers.")
		return nil
	}
	fmt.Fprintln(w, "\nRelated past answers:")
	for _, h := range related {
		fmt.Fprintf(w, "  %s  %s  (%s)\n", h.Date.Format("2006-01-02"), h.Title, h.Slug)
	}
	return nil
}

func indent(text, prefix string) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "\n")
}

// saveAttachments writes the files question came with into dir, read
// from its raw message, each under a safe name, never over a file.
func (a *app) saveAttachments(n *newsletter, question *questions.Question, dir string) error {
	if len(question.Attachments) == 0 {
		return fmt.Errorf("show --save: %s came with no files", called(question))
	}
	raw, err := ingest.ReadRaw(n.home.Mail(), question)
	if err != nil {
		return fmt.Errorf("show --save: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("show --save: %w", err)
	}
	used := map[string]bool{}
	i := 0
	return mailmsg.ReadAttachments(raw, func(at questions.Attachment, r io.Reader) error {
		i++
		name := safeFileName(at.Name, i, used)
		f, err := os.OpenFile(filepath.Join(dir, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return fmt.Errorf("show --save: %w (a file of that name is there: choose an empty folder)", err)
		}
		n, err := io.Copy(f, r)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(f.Name())
			return fmt.Errorf("show --save: %w", err)
		}
		fmt.Fprintf(a.stdout, "Wrote %s (%s)\n", filepath.Join(dir, name), size(uint64(n)))
		return nil
	})
}

// safeFileName returns name as a file in a folder of the author's: its last
// part only, without characters file systems or shells trip on, no
// leading dot, at most 100 characters, and not one used already (a
// number is added); "attachment-N" when nothing is left of it.
func safeFileName(name string, n int, used map[string]bool) string {
	name = name[strings.LastIndexAny(name, `/\`)+1:]
	name = strings.Map(func(r rune) rune {
		switch {
		case r < 0x20, r == 0x7f, visible.Acts(r), strings.ContainsRune(`<>:"|?*`, r):
			return '_'
		}
		return r
	}, name)
	name = strings.TrimLeft(strings.TrimSpace(name), ".")
	if r := []rune(name); len(r) > 100 {
		ext := filepath.Ext(name)
		if len([]rune(ext)) > 10 {
			ext = ""
		}
		name = string(r[:100-len([]rune(ext))]) + ext
	}
	if name == "" {
		name = fmt.Sprintf("attachment-%d", n)
	}
	base, ext := strings.TrimSuffix(name, filepath.Ext(name)), filepath.Ext(name)
	for k := 2; used[strings.ToLower(name)]; k++ {
		name = fmt.Sprintf("%s-%d%s", base, k, ext)
	}
	used[strings.ToLower(name)] = true
	return name
}
