package publish

import (
	"context"
	"errors"

	"mailbag/ingest"
)

// ApplyBounces marks bounced each active subscriber whom a delivery report
// in the question queue says will not take mail: a failed delivery with a
// 5.x.x status (RFC 3464), as ingest recorded it when it stored the report.
// It returns the addresses it marked; marking again changes nothing.
func ApplyBounces(ctx context.Context, q *ingest.Queue, subs *Subscribers) ([]string, error) {
	recipients, err := q.ReportRecipients(ctx)
	if err != nil {
		return nil, err
	}
	var marked []string
	for _, r := range recipients {
		if !r.Hard() {
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
