package delivery

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wneessen/go-mail"

	"mailbag/internal/peers"
	"mailbag/publish/mailinglist"
)

// BenchmarkSend mails 10,000 subscribers through a local SMTP sink that
// discards, with mailbag's sender and, for the limit, with bare go-mail
// clients sending the same messages over as many connections. The two take
// turns, five rounds each (a new post for each of mailbag's rounds), and
// the medians of their rates and the ratio of the medians are reported:
// the two cores here are shared with the sink, and single rounds vary.
//
//	go test ./publish -run '^$' -bench Send -benchtime 1x
func BenchmarkSend(b *testing.B) {
	const n, rounds = 10_000, 5
	ctx := context.Background()
	sink := peers.StartSMTPSink(b, true)
	f := newSendFixture(b, sink, 0)
	var csv strings.Builder
	csv.WriteString("email\n")
	for i := range n {
		fmt.Fprintf(&csv, "reader%d@example.net\n", i)
	}
	if _, err := f.subs.Import(ctx, strings.NewReader(csv.String()), mailinglist.ImportOptions{Source: "bench"}, func(mailinglist.ImportLine) {}); err != nil {
		b.Fatal(err)
	}
	subs, err := f.subs.List(ctx, mailinglist.Active)
	if err != nil {
		b.Fatal(err)
	}
	conns := f.sender.Concurrency
	round := 0
	for b.Loop() {
		var bare, ours []float64
		for range rounds {
			// Bare go-mail: the same messages, built beforehand, nothing
			// recorded.
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
					conn := &relay{s: f.sender}
					defer conn.close()
					for i := w; i < len(msgs); i += conns {
						if err := conn.send(ctx, msgs[i]); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			bare = append(bare, float64(n)/time.Since(start).Seconds())

			round++
			post := *f.r.post
			post.Slug = fmt.Sprintf("%s-%d", post.Slug, round)
			r := *f.r
			r.post = &post
			start = time.Now()
			sum, err := f.sender.Send(ctx, &r, Retry{})
			if err != nil || sum.Sent != n {
				b.Fatalf("Send = %+v, %v", sum, err)
			}
			ours = append(ours, float64(n)/time.Since(start).Seconds())
		}
		b.Logf("bare %.0f ours %.0f", bare, ours)
		b.ReportMetric(median(ours), "msgs/s")
		b.ReportMetric(median(bare), "bare-msgs/s")
		b.ReportMetric(median(ours)/median(bare), "ratio")
	}
}

func median(xs []float64) float64 {
	slices.Sort(xs)
	return xs[len(xs)/2]
}
