package peers

import (
	"testing"

	"mailbag/internal/memserver"
)

// MemIMAP is go-imap's in-memory IMAP server in this process (the demo's).
type MemIMAP = memserver.IMAP

// StartMemIMAP starts a MemIMAP that stops when the test ends.
func StartMemIMAP(t testing.TB) *MemIMAP {
	t.Helper()
	m, stop, err := memserver.NewIMAP()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return m
}

// Append adds a raw message to m's INBOX, or fails the test.
func Append(t testing.TB, m *MemIMAP, raw []byte) {
	t.Helper()
	if err := m.Deliver(raw); err != nil {
		t.Fatal(err)
	}
}
