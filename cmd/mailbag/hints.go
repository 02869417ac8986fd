package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// withHint adds to a failure to reach the [imap] or [smtp] server (table)
// what to try, where the error says enough: a certificate not trusted, a
// port that does not speak what security says, a server not there. Other
// errors come back as they are.
func withHint(table, security string, err error) error {
	if err == nil {
		return nil
	}
	if hint := serverHint(table, security, err); hint != "" {
		return fmt.Errorf("%w (%s)", err, hint)
	}
	return err
}

func serverHint(table, security string, err error) string {
	var (
		dns      *net.DNSError
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
		record   tls.RecordHeaderError
		opErr    *net.OpError
	)
	switch {
	case errors.As(err, &unknown):
		return "the server's certificate is not signed by an authority this machine trusts: set " + table + ".ca_file to the PEM file of the one that signed it"
	case errors.As(err, &hostname):
		return "the server's certificate is for another name: check the host name in " + table + ".address"
	case errors.As(err, &invalid):
		return "the server's certificate is not valid (expired?): renew it, or set " + table + ".ca_file"
	case errors.As(err, &record):
		if security == "tls" {
			return "the server does not speak TLS at once on this port: try security = \"starttls\" (port 587 or 143), or the TLS port (465 or 993)"
		}
		return "the server answered with something that is not TLS: check " + table + ".security and the port"
	case strings.Contains(err.Error(), "STARTTLS") || strings.Contains(err.Error(), "starttls"):
		return "the server offers no STARTTLS on this port: try security = \"tls\" (port 465 or 993)"
	case errors.Is(err, os.ErrDeadlineExceeded) && security == "starttls":
		return "no greeting came: a TLS port (465 or 993) waits for TLS first: try security = \"tls\""
	case errors.As(err, &dns):
		return "the host name " + strconv.Quote(dns.Name) + " is not known (DNS): check " + table + ".address for a typo, and that this machine can resolve names"
	case (errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) ||
		// Or the client writes its STARTTLS after the hang-up: a broken
		// pipe, or its own connection, closed on the failed read.
		errors.Is(err, syscall.EPIPE) || errors.Is(err, net.ErrClosed) ||
		// go-imap words a reset it reads while waiting for the greeting
		// ("in response: cannot read tag: … connection reset by peer"),
		// and those, without wrapping them.
		strings.Contains(err.Error(), "connection reset by peer") || strings.Contains(err.Error(), "broken pipe") ||
		strings.Contains(err.Error(), "use of closed network connection")) && security != "tls":
		return "the server closed the connection before it greeted: a TLS port (465 or 993) waits for TLS first: try security = \"tls\""
	case errors.As(err, &opErr) && opErr.Op == "dial":
		return "nothing answers there: check " + table + ".address (host:port) and that the server runs"
	}
	return ""
}
