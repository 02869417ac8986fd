// Package memserver runs the in-process mail servers of `mailbag demo`:
// go-imap's in-memory IMAP server holding the demo's reader questions, and
// a go-smtp server that keeps what the demo sends. Both listen on 127.0.0.1
// only, without TLS or real authentication. Tests reuse them (through
// internal/peers) as fast stand-ins for Dovecot and Mailpit; the SMTP
// server's fault hook lets them refuse or drop messages on purpose.
package memserver

import (
	"bytes"
	"net"
	"net/mail"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

// IMAP is go-imap's in-memory IMAP server, listening on 127.0.0.1 in
// this process, with one user and an INBOX. Plain text only: connect with
// security "none".
type IMAP struct {
	Addr     string
	Username string
	Password string
	User     *imapmemserver.User
}

// NewIMAP starts an IMAP server; stop stops it.
func NewIMAP() (m *IMAP, stop func(), err error) {
	m = &IMAP{Username: "ask@example.test", Password: "secret"}
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

// Deliver adds a raw message to the INBOX, received (its INTERNALDATE) at
// the time of its Date header, if it has one.
func (m *IMAP) Deliver(raw []byte) error {
	var at time.Time
	if msg, err := mail.ReadMessage(bytes.NewReader(raw)); err == nil {
		if d, err := msg.Header.Date(); err == nil {
			at = d
		}
	}
	return m.DeliverAt(raw, at)
}

// DeliverAt adds a raw message to the INBOX, received at the time at (now,
// when at is zero).
func (m *IMAP) DeliverAt(raw []byte, at time.Time) error {
	if at.IsZero() {
		at = time.Now()
	}
	_, err := m.User.Append("INBOX", bytes.NewReader(raw), &imap.AppendOptions{Time: at})
	return err
}
