package publish

import (
	"context"
	"errors"

	"mailbag/ingest"
)

// Marked is a subscriber ApplyReports took off the list, and why.
type Marked struct {
	Email  string
	Status SubscriberStatus // bounced, complained or unsubscribed
}

// ApplyReports takes off the list every active or pending subscriber whom
// a report in the question queue names, as ingest recorded it when it
// stored the report: a delivery report (RFC 3464) whose status says the
// address does not exist marks them bounced (read by the table of
// classify: a policy or content refusal, 5.7.x, is not one); an abuse
// report (ARF) complained; a mail to List-Unsubscribe's mailto:
// unsubscribed. It returns whom it marked; applying again changes nothing.
func ApplyReports(ctx context.Context, q *ingest.Queue, subs *Subscribers) ([]Marked, error) {
	recipients, err := q.ReportRecipients(ctx)
	if err != nil {
		return nil, err
	}
	var marked []Marked
	for _, r := range recipients {
		status := reportStatus(r)
		if status == "" {
			continue
		}
		sub, err := subs.Get(ctx, r.Address)
		if errors.Is(err, ErrNoSubscriber) || errors.Is(err, ErrBadAddress) {
			continue
		}
		if err != nil {
			return marked, err
		}
		if sub.Status != Active && sub.Status != Pending {
			continue
		}
		if err := subs.SetStatus(ctx, sub.Email, status); err != nil {
			return marked, err
		}
		marked = append(marked, Marked{Email: sub.Email, Status: status})
	}
	return marked, nil
}

// reportStatus is what a recipient of a report makes of its subscriber;
// "" for nothing.
func reportStatus(r ingest.Recipient) SubscriberStatus {
	switch {
	case r.Action == ingest.ActionComplained:
		return Complained
	case r.Action == ingest.ActionUnsubscribe:
		return Unsubscribed
	case reportVerdict(r.Action, r.Status) == addressGone:
		return Bounced
	}
	return ""
}
