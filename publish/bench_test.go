package publish

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wneessen/go-mail"

	"mailbag/internal/peers"
)

// BenchmarkSend mails 10,000 subscribers through a local SMTP sink that
// discards, with mailbag's sender and, for the limit, with bare go-mail
// clients sending the same messages over as many connections, and reports
// both rates and their ratio.
//
//	go test ./publish -run '^$' -bench Send -benchtime 1x
func BenchmarkSend(b *testing.B) {
	const n = 10_000
	for b.Loop() {
		ctx := context.Background()
		sink := peers.StartSMTPSink(b, true)
		f := newSendFixture(b, sink, 0)
		var csv strings.Builder
		csv.WriteString("email\n")
		for i := range n {
			fmt.Fprintf(&csv, "reader%d@example.net\n", i)
		}
		if _, err := f.subs.Import(ctx, strings.NewReader(csv.String()), "bench", func(ImportLine) {}); err != nil {
			b.Fatal(err)
		}
		conns := f.sender.Concurrency

		// Bare go-mail: the same messages, built beforehand, nothing recorded.
		subs, err := f.subs.List(ctx, Active)
		if err != nil {
			b.Fatal(err)
		}
		msgs := make([]*mail.Msg, len(subs))
		for i, sub := range subs {
			if msgs[i], err = f.r.Message(sub, time.Now()); err != nil {
				b.Fatal(err)
			}
		}
		start := time.Now()
		var wg sync.WaitGroup
		for w := range conns {
			wg.Go(func() {
				c, err := f.sender.dial(ctx)
				if err != nil {
					b.Error(err)
					return
				}
				defer c.Close()
				for i := w; i < len(msgs); i += conns {
					if err := c.Send(msgs[i]); err != nil {
						b.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		bare := float64(n) / time.Since(start).Seconds()

		start = time.Now()
		sum, err := f.sender.Send(ctx, f.r, false)
		if err != nil || sum.Sent != n {
			b.Fatalf("Send = %+v, %v", sum, err)
		}
		ours := float64(n) / time.Since(start).Seconds()
		b.ReportMetric(ours, "msgs/s")
		b.ReportMetric(bare, "bare-msgs/s")
		b.ReportMetric(ours/bare, "ratio")
	}
}
