package peers

import (
	"testing"

	"mailbag/internal/memserver"
)

// SMTPSink is go-smtp's server in this process, keeping what it accepts,
// with a fault hook (the demo's).
type SMTPSink = memserver.SMTPSink

// Received is a message the sink accepted.
type Received = memserver.Received

// ErrDrop, returned by a fault function, makes the sink close the
// connection in the middle of the message.
var ErrDrop = memserver.ErrDrop

// ErrDropAfterData, returned by a fault function, makes the sink keep the
// whole message and close the connection before it replies.
var ErrDropAfterData = memserver.ErrDropAfterData

// StartSMTPSink starts an SMTPSink that stops when the test ends. A sink
// that discards keeps no message, only a count (for benchmarks).
func StartSMTPSink(t testing.TB, discard bool) *SMTPSink {
	t.Helper()
	s, stop, err := memserver.NewSMTPSink(discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return s
}

// PerRecipient counts the messages each address got.
func PerRecipient(msgs []Received) map[string]int {
	got := map[string]int{}
	for _, m := range msgs {
		for _, to := range m.To {
			got[to]++
		}
	}
	return got
}
