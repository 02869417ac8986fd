package ingest

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
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
	opts := &imapclient.Options{
		TLSConfig:             tlsConfig,
		UnilateralDataHandler: handler,
		Dialer:                &net.Dialer{Timeout: dialTimeout},
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

// tlsConfig is the TLS configuration for the server: the system's roots,
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
