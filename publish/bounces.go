package publish

import (
	"context"
	"errors"
	"os"
	"path/filepath"

	"mailbag/ingest"
)

// ApplyBounces marks bounced each active subscriber whom a delivery report
// in the question queue (the messages ingest set aside as bounces, kept raw
// in mailDir) says will not take mail: a failed delivery with a 5.x.x
// status (RFC 3464). It returns the addresses it marked. Reports are read
// each time; marking again changes nothing. A report whose raw message is
// gone is skipped.
func ApplyBounces(ctx context.Context, q *ingest.Queue, subs *Subscribers, mailDir string) ([]string, error) {
	ignored, err := q.List(ctx, ingest.StatusIgnored)
	if err != nil {
		return nil, err
	}
	var marked []string
	for _, entry := range ignored {
		if entry.Kind != ingest.KindBounce || entry.RawPath == "" {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(mailDir, entry.RawPath))
		if err != nil {
			continue
		}
		for _, r := range ingest.ParseDSN(raw) {
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
	}
	return marked, nil
}
