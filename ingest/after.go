package ingest

import (
	"context"
	"errors"
	"fmt"

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
			return fmt.Errorf("%w: move to %q: %w", ErrNotMoved, to, err)
		}
		return nil
	}
	if _, err := c.Copy(set, to).Wait(); err != nil {
		return fmt.Errorf("%w: copy to %q: %w", ErrNotMoved, to, err)
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
