package main

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"
)

// TestServerHints: real failures to reach a server end with what to try.
func TestServerHints(t *testing.T) {
	srv := httptest.NewTLSServer(http.NotFoundHandler()) // a certificate nobody trusts
	defer srv.Close()
	_, err := tls.Dial("tcp", srv.Listener.Addr().String(), &tls.Config{ServerName: "127.0.0.1"})
	if got := withHint("imap", "tls", err); got == nil || !strings.Contains(got.Error(), "set imap.ca_file") {
		t.Errorf("an untrusted certificate: %v", got)
	}
	_, err = tls.Dial("tcp", srv.Listener.Addr().String(), &tls.Config{ServerName: "mail.example.org", RootCAs: srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs})
	if got := withHint("smtp", "tls", err); got == nil || !strings.Contains(got.Error(), "check the host name in smtp.address") {
		t.Errorf("a certificate for another name: %v", got)
	}
	plain, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	go func() {
		c, err := plain.Accept()
		if err == nil {
			c.Write([]byte("* OK IMAP4rev1 ready\r\n"))
			io.Copy(io.Discard, c) // until the client gives up
			c.Close()
		}
	}()
	_, err = tls.Dial("tcp", plain.Addr().String(), &tls.Config{ServerName: "127.0.0.1"})
	if got := withHint("imap", "tls", err); got == nil || !strings.Contains(got.Error(), `try security = "starttls"`) {
		t.Errorf("TLS to a plain port: %v", got)
	}
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	_, err = net.Dial("tcp", addr)
	if got := withHint("smtp", "tls", err); got == nil || !strings.Contains(got.Error(), "nothing answers there") {
		t.Errorf("nothing listening: %v", got)
	}
	// A name that does not resolve (.invalid never does, RFC 6761).
	_, err = net.DialTimeout("tcp", "imap.example.invalid:993", 10*time.Second)
	if got := withHint("imap", "tls", err); got == nil || !strings.Contains(got.Error(), `the host name "imap.example.invalid" is not known`) || strings.Contains(got.Error(), "nothing answers") {
		t.Errorf("a name that does not resolve: %v", got)
	}
	// starttls against a port that waits for TLS: the server hangs up.
	tlsPort, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer tlsPort.Close()
	go func() {
		c, err := tlsPort.Accept()
		if err == nil {
			c.Close() // a TLS server gives up on a client that says nothing
		}
	}()
	_, err = imapclient.DialStartTLS(tlsPort.Addr().String(), nil)
	if got := withHint("imap", "starttls", err); got == nil || !strings.Contains(got.Error(), `try security = "tls"`) {
		t.Errorf("starttls to a TLS port: %v", got)
	}
	// The hang-up may come as a reset rather than an end of stream.
	reset := &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
	if got := withHint("imap", "starttls", reset); !strings.Contains(got.Error(), `try security = "tls"`) {
		t.Errorf("starttls to a TLS port, reset: %v", got)
	}
	// go-imap's words for it, which do not wrap the reset; and the write
	// of STARTTLS after the hang-up, as CI once saw it.
	for _, worded := range []string{
		"in response: cannot read tag: read tcp 127.0.0.1:41888->127.0.0.1:35689: read: connection reset by peer",
		"write tcp 127.0.0.1:58668->127.0.0.1:35941: use of closed network connection",
		"write tcp 127.0.0.1:58668->127.0.0.1:35941: write: broken pipe",
	} {
		if got := withHint("imap", "starttls", errors.New(worded)); !strings.Contains(got.Error(), `try security = "tls"`) {
			t.Errorf("starttls to a TLS port, in go-imap's words: %v", got)
		}
	}
	closed := &net.OpError{Op: "write", Net: "tcp", Err: net.ErrClosed}
	if got := withHint("imap", "starttls", closed); !strings.Contains(got.Error(), `try security = "tls"`) {
		t.Errorf("starttls to a TLS port, written after the hang-up: %v", got)
	}
}
