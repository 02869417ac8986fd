package delivery

import (
	"testing"
	"time"

	"mailbag/internal/peers"
	"mailbag/publish/mailinglist"
)

func BenchmarkMessage(b *testing.B) {
	sink := peers.StartSMTPSink(b, true)
	f := newSendFixture(b, sink, 0)
	sub := &mailinglist.Subscriber{ID: 42, Email: "reader42@example.net", Name: "Reader 42"}
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.r.Message(sub, now); err != nil {
			b.Fatal(err)
		}
	}
}
