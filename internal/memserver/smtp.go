package memserver

import (
	"bytes"
	"io"
	"net"
	"sync"

	"github.com/emersion/go-smtp"
)

// SMTPSink is go-smtp's server on 127.0.0.1 in this process, keeping every
// message it accepts. Fault, when set, is asked before each message is
// accepted: it may return an *smtp.SMTPError to refuse it, or drop the
// connection mid-message by returning ErrDrop.
type SMTPSink struct {
	Addr string

	mu        sync.Mutex
	messages  []Received
	fault     func(to string) error // asked at DATA
	mailFault func(from string) error
	rcptFault func(to string) error
	discard   bool
}

// Received is a message the sink accepted.
type Received struct {
	From string
	To   []string
	Data []byte
}

// ErrDrop, returned by a fault function, makes the sink close the
// connection in the middle of the message.
var ErrDrop = &smtp.SMTPError{Code: 0, Message: "drop"}

// ErrDropAfterData, returned by a DATA fault function, makes the sink take
// the whole message, keep it, and close the connection before it replies:
// the client cannot know the message arrived.
var ErrDropAfterData = &smtp.SMTPError{Code: 0, Message: "drop after the final dot"}

// NewSMTPSink starts an SMTPSink; stop stops it.
func NewSMTPSink(discard bool) (s *SMTPSink, stop func(), err error) {
	s = &SMTPSink{discard: discard}
	srv := smtp.NewServer(sinkBackend{s})
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.MaxRecipients = 1000
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	s.Addr = ln.Addr().String()
	go srv.Serve(ln)
	return s, func() { srv.Close() }, nil
}

// SetFault sets the fault function asked before each message's data is
// taken (nil for none).
func (s *SMTPSink) SetFault(f func(to string) error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fault = f
}

// SetMailFault sets the function that answers each MAIL FROM (nil: all
// are taken): an *smtp.SMTPError refuses the sender.
func (s *SMTPSink) SetMailFault(f func(from string) error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mailFault = f
}

// SetRcptFault sets the function that answers each RCPT TO (nil: all are
// taken): an *smtp.SMTPError refuses the recipient.
func (s *SMTPSink) SetRcptFault(f func(to string) error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rcptFault = f
}

// Messages returns the messages accepted so far.
func (s *SMTPSink) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.messages...)
}

// Count returns how many messages were accepted.
func (s *SMTPSink) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.messages)
}

type sinkBackend struct{ s *SMTPSink }

func (b sinkBackend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &sinkSession{s: b.s, conn: c}, nil
}

type sinkSession struct {
	s    *SMTPSink
	conn *smtp.Conn
	from string
	to   []string
}

func (ss *sinkSession) AuthPlain(string, string) error { return nil }

func (ss *sinkSession) Mail(from string, _ *smtp.MailOptions) error {
	ss.s.mu.Lock()
	fault := ss.s.mailFault
	ss.s.mu.Unlock()
	if fault != nil {
		if err := fault(from); err != nil {
			return err
		}
	}
	ss.from = from
	return nil
}

func (ss *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.s.mu.Lock()
	fault := ss.s.rcptFault
	ss.s.mu.Unlock()
	if fault != nil {
		if err := fault(to); err != nil {
			return err
		}
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *sinkSession) Data(r io.Reader) error {
	ss.s.mu.Lock()
	fault := ss.s.fault
	ss.s.mu.Unlock()
	dropAfter := false
	if fault != nil && len(ss.to) > 0 {
		switch err := fault(ss.to[0]); {
		case err == ErrDrop:
			_, _ = io.CopyN(io.Discard, r, 100)
			ss.conn.Close()
			return err
		case err == ErrDropAfterData:
			dropAfter = true
		case err != nil:
			_, _ = io.Copy(io.Discard, r)
			return err
		}
	}
	if dropAfter {
		defer ss.conn.Close() // kept, but never answered
	}
	var data []byte
	if ss.s.discard {
		_, _ = io.Copy(io.Discard, r)
	} else {
		var buf bytes.Buffer
		if _, err := io.Copy(&buf, r); err != nil {
			return err
		}
		data = buf.Bytes()
	}
	ss.s.mu.Lock()
	ss.s.messages = append(ss.s.messages, Received{From: ss.from, To: ss.to, Data: data})
	ss.s.mu.Unlock()
	return nil
}

func (ss *sinkSession) Reset() {
	ss.from, ss.to = "", nil
}

func (ss *sinkSession) Logout() error { return nil }
