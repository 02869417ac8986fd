package peers

import (
	"bytes"
	"net"
	"net/mail"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

// MemIMAP is go-imap's in-memory IMAP server, listening on 127.0.0.1 in
// this process, with one user and an INBOX. Plain text only: connect with
// security "none".
type MemIMAP struct {
	Addr     string
	Username string
	Password string
	User     *imapmemserver.User
}

// StartMemIMAP starts a MemIMAP that stops when the test ends.
func StartMemIMAP(t testing.TB) *MemIMAP {
	t.Helper()
	m, stop, err := NewMemIMAP()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return m
}

// NewMemIMAP starts a MemIMAP; stop stops it.
func NewMemIMAP() (m *MemIMAP, stop func(), err error) {
	m = &MemIMAP{Username: "ask@example.test", Password: "secret"}
	mem := imapmemserver.New()
	m.User = imapmemserver.NewUser(m.Username, m.Password)
	if err := m.User.Create("INBOX", nil); err != nil {
		return nil, nil, err
	}
	mem.AddUser(m.User)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		InsecureAuth: true,
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	m.Addr = ln.Addr().String()
	go srv.Serve(ln)
	return m, func() { srv.Close() }, nil
}

// Append adds a raw message to the INBOX.
func (m *MemIMAP) Append(t testing.TB, raw []byte) {
	t.Helper()
	if err := m.Deliver(raw); err != nil {
		t.Fatal(err)
	}
}

// Deliver adds a raw message to the INBOX, received (its INTERNALDATE) at
// the time of its Date header, if it has one.
func (m *MemIMAP) Deliver(raw []byte) error {
	opts := &imap.AppendOptions{}
	if msg, err := mail.ReadMessage(bytes.NewReader(raw)); err == nil {
		if d, err := msg.Header.Date(); err == nil {
			opts.Time = d
		}
	}
	_, err := m.User.Append("INBOX", bytes.NewReader(raw), opts)
	return err
}
