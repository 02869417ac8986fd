package publish

import (
	"context"
	"errors"

	"mailbag/ingest"
)

// ApplyBounces marks bounced each active subscriber whom a delivery report
// in the question queue says will not take mail: a failed delivery with a
// status that says the address does not exist (RFC 3464 reports, read by
// the table of classify: a policy or content refusal, 5.7.x, is not one),
// as ingest recorded it when it stored the report.
// It returns the addresses it marked; marking again changes nothing.
func ApplyBounces(ctx context.Context, q *ingest.Queue, subs *Subscribers) ([]string, error) {
	recipients, err := q.ReportRecipients(ctx)
	if err != nil {
		return nil, err
	}
	var marked []string
	for _, r := range recipients {
		if reportVerdict(r.Action, r.Status) != addressGone {
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
		if err := subs.SetStatus(ctx, sub.Email, Bounced); err != nil {
			return marked, err
		}
		marked = append(marked, sub.Email)
	}
	return marked, nil
}
