package ingest

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// ErrLogin means the server refused the username or password.
var ErrLogin = errors.New("ingest: login refused")

// dialTimeout bounds connecting to the server.
const dialTimeout = 15 * time.Second

// dial connects and logs in, as Server says. handler receives the
// server's unilateral data (new mail); nil for none.
func (in *Ingester) dial(handler *imapclient.UnilateralDataHandler) (*imapclient.Client, error) {
	s := in.opts.Server
	tlsConfig, err := s.tlsConfig()
	if err != nil {
		return nil, err
	}
	bye := &byeLine{}
	in.mu.Lock()
	in.bye = bye
	in.mu.Unlock()
	opts := &imapclient.Options{
		TLSConfig:             tlsConfig,
		UnilateralDataHandler: handler,
		Dialer:                &net.Dialer{Timeout: dialTimeout},
		DebugWriter:           bye,
	}
	var c *imapclient.Client
	switch s.Security {
	case "tls", "":
		c, err = imapclient.DialTLS(s.Address, opts)
	case "starttls":
		c, err = imapclient.DialStartTLS(s.Address, opts)
	case "none":
		c, err = imapclient.DialInsecure(s.Address, opts)
	default:
		return nil, fmt.Errorf("ingest: security %q is not tls, starttls or none", s.Security)
	}
	if err != nil {
		return nil, fmt.Errorf("ingest: connect to %s: %w", s.Address, err)
	}
	if err := c.WaitGreeting(); err != nil {
		c.Close()
		return nil, fmt.Errorf("ingest: connect to %s: %w", s.Address, err)
	}
	if err := c.Login(s.Username, s.Password).Wait(); err != nil {
		c.Close()
		var ie *imap.Error
		if errors.As(err, &ie) && (ie.Type == imap.StatusResponseTypeNo || ie.Code == imap.ResponseCodeAuthenticationFailed) {
			return nil, fmt.Errorf("%w by %s for %s: %s", ErrLogin, s.Address, s.Username, ie.Text)
		}
		return nil, fmt.Errorf("ingest: log in to %s as %s: %w", s.Address, s.Username, err)
	}
	return c, nil
}

// tlsConfig returns the TLS configuration for the server: the system's roots,
// plus CAFile's certificates when set.
func (s Server) tlsConfig() (*tls.Config, error) {
	host, _, err := net.SplitHostPort(s.Address)
	if err != nil {
		return nil, fmt.Errorf("ingest: server address %q: %w", s.Address, err)
	}
	conf := &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	if s.CAFile == "" {
		return conf, nil
	}
	pem, err := os.ReadFile(s.CAFile)
	if err != nil {
		return nil, fmt.Errorf("ingest: CA file: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("ingest: CA file %s holds no PEM certificate", s.CAFile)
	}
	conf.RootCAs = pool
	return conf, nil
}

// byeLine keeps the text of an untagged BYE that is the last line the
// server sent ("* BYE [ALERT] Maintenance: back at 12:00 UTC"), read from
// the connection's raw bytes: go-imap reports a connection closed after
// one as a network error and drops the server's words. A BYE followed by
// more untagged lines (a reader's mail quoting one, say) is forgotten.
type byeLine struct {
	mu   sync.Mutex
	tail []byte // the start of a line not yet ended, while it is short
	long bool   // the line not yet ended is too long to be a BYE
	text string
}

// maxByeLine bounds the line kept: a BYE's text is a sentence.
const maxByeLine = 512

// Write reads the bytes that crossed the connection, either way, line by
// line; a line split between two writes is joined, and nothing is copied
// but the start of a short line.
func (b *byeLine) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	rest := p
	for len(rest) > 0 {
		line, after, ended := bytes.Cut(rest, []byte("\n"))
		switch {
		case !ended && (b.long || len(b.tail)+len(line) > maxByeLine):
			b.tail, b.long = b.tail[:0], true
		case !ended:
			b.tail = append(b.tail, line...)
		case b.long:
			b.tail, b.long = b.tail[:0], false
		case len(b.tail) > 0:
			b.line(append(b.tail, line...))
			b.tail = b.tail[:0]
		default:
			b.line(line)
		}
		rest = after
	}
	return len(p), nil
}

// line reads one whole line. Only the server's untagged lines count: the
// client's commands (a tag, DONE) may follow a BYE before the close is
// noticed.
func (b *byeLine) line(line []byte) {
	if !bytes.HasPrefix(line, []byte("* ")) {
		return
	}
	b.text = ""
	if t, ok := bytes.CutPrefix(bytes.TrimRight(line, "\r"), []byte("* BYE ")); ok && len(t) <= maxByeLine {
		b.text = string(t)
	}
}

// said returns the server's last BYE text, "" for none.
func (b *byeLine) said() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.text
}

// withServerWords adds to err, the failure of a connection, what the
// server said as it closed it, when it said something.
func (in *Ingester) withServerWords(err error) error {
	in.mu.Lock()
	bye := in.bye
	in.mu.Unlock()
	if err == nil || bye == nil {
		return err
	}
	if text := bye.said(); text != "" {
		return fmt.Errorf("ingest: the server closed the connection, saying %q: %w", text, err)
	}
	return err
}
