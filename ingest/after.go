package ingest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// ErrNotMoved means the server refused to copy handled messages to
// Options.MoveTo: they stay where they were, untouched, and the next run
// tries again.
var ErrNotMoved = errors.New("ingest: messages not moved")

// finishUnfinished flags or moves the handled messages of mailbox that an
// earlier run stored but could not flag or move, as the options say. Those
// of another UIDVALIDITY are forgotten: their UIDs now name other messages.
func (in *Ingester) finishUnfinished(ctx context.Context, c *imapclient.Client, mailbox string, validity uint32) error {
	if in.opts.After == AfterNone {
		return nil
	}
	uids, err := in.q.Unfinished(ctx, mailbox, validity)
	if err != nil || len(uids) == 0 {
		return err
	}
	in.log.Info("finishing what an earlier run left: flagging or moving messages already stored", "mailbox", mailbox, "messages", len(uids))
	var set imap.UIDSet
	for _, u := range uids {
		set.AddNum(imap.UID(u))
	}
	if err := in.act(c, set); err != nil {
		return err
	}
	return in.q.Finished(ctx, mailbox, validity, uids)
}

// after flags or moves the handled messages of a batch, as the options
// say, and forgets them as unfinished once the server confirmed it.
func (in *Ingester) after(ctx context.Context, c *imapclient.Client, validity uint32, batch []*imapclient.FetchMessageBuffer) error {
	if in.opts.After == AfterNone {
		return nil
	}
	var set imap.UIDSet
	uids := make([]uint32, len(batch))
	for i, m := range batch {
		set.AddNum(m.UID)
		uids[i] = uint32(m.UID)
	}
	if err := in.act(c, set); err != nil {
		return err
	}
	return in.q.Finished(ctx, in.opts.Server.Mailbox, validity, uids)
}

// act flags or moves the messages set, as the options say.
func (in *Ingester) act(c *imapclient.Client, set imap.UIDSet) error {
	switch in.opts.After {
	case AfterSeen:
		store := &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagSeen}}
		if err := c.Store(set, store, nil).Close(); err != nil {
			return fmt.Errorf("ingest: mark messages seen: %w", err)
		}
	case AfterMove:
		return in.move(c, set)
	}
	return nil
}

// move moves the messages set to Options.MoveTo. With MOVE (RFC 6851) the
// server does it at once. Without, the messages are copied and, only once
// the server confirmed the copy, flagged \Deleted and expunged by UID (UID
// EXPUNGE, RFC 4315). A server without UIDPLUS has only EXPUNGE, which
// would also remove any other message the author flagged \Deleted: there
// the copied messages are left flagged, for the author's mail program to
// expunge. go-imap's own fallback sends the three commands at once, so a
// refused copy still deleted the messages; this never does.
func (in *Ingester) move(c *imapclient.Client, set imap.UIDSet) error {
	to := in.opts.MoveTo
	caps := c.Caps()
	if caps.Has(imap.CapMove) {
		if _, err := c.Move(set, to).Wait(); err != nil {
			return fmt.Errorf("%w: move to %q: %w%s", ErrNotMoved, to, err, folderHint(c, to))
		}
		return nil
	}
	if _, err := c.Copy(set, to).Wait(); err != nil {
		return fmt.Errorf("%w: copy to %q: %w%s", ErrNotMoved, to, err, folderHint(c, to))
	}
	store := &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}
	if err := c.Store(set, store, nil).Close(); err != nil {
		return fmt.Errorf("ingest: flag messages copied to %q deleted: %w", to, err)
	}
	if !caps.Has(imap.CapUIDPlus) {
		in.warnNoUIDPlus.Do(func() {
			in.log.Warn("the server has neither MOVE nor UIDPLUS: handled messages are copied and left flagged deleted in the mailbox, for your mail program to expunge",
				"mailbox", in.opts.Server.Mailbox, "move_to", to)
		})
		return nil
	}
	if err := c.UIDExpunge(set).Close(); err != nil {
		return fmt.Errorf("ingest: expunge messages copied to %q: %w", to, err)
	}
	return nil
}

// folderHint says, when folder is not one of the server's, which of its
// folders was likely meant: the one of that name under the personal
// namespace ("INBOX.Questions" where folders live under INBOX.), or one
// whose last part is that name; "" when folder exists or nothing is
// known. It is asked only once a move failed.
func folderHint(c *imapclient.Client, folder string) string {
	list, err := c.List("", "*", nil).Collect()
	if err != nil {
		return ""
	}
	var names []string
	for _, m := range list {
		if m.Mailbox == folder {
			return ""
		}
		names = append(names, m.Mailbox)
	}
	var meant []string
	if c.Caps().Has(imap.CapNamespace) {
		if ns, err := c.Namespace().Wait(); err == nil {
			for _, d := range ns.Personal {
				if d.Prefix != "" && slices.Contains(names, d.Prefix+folder) {
					meant = append(meant, d.Prefix+folder)
				}
			}
		}
	}
	for _, m := range list {
		if m.Delim != 0 && !slices.Contains(meant, m.Mailbox) {
			if i := strings.LastIndexByte(m.Mailbox, byte(m.Delim)); i >= 0 && strings.EqualFold(m.Mailbox[i+1:], folder) {
				meant = append(meant, m.Mailbox)
			}
		}
	}
	if len(meant) > 0 {
		return fmt.Sprintf(" (the server has no folder %q, but has %q: set imap.move_to = %q)", folder, meant[0], meant[0])
	}
	return fmt.Sprintf(" (the server has no folder %q: make it in your mail program, or set imap.move_to to one of its folders)", folder)
}
