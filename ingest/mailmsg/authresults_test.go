package mailmsg

import (
	"bytes"
	"testing"

	"github.com/emersion/go-message"
)

func headerOf(t testing.TB, fields string) message.Header {
	t.Helper()
	ent, err := message.Read(bytes.NewReader([]byte(fields + "\r\n\r\n")))
	if err != nil {
		t.Fatal(err)
	}
	return ent.Header
}

// TestAuthenticated: the receiving server's verdicts, as Gmail, Fastmail
// (Cyrus) and OpenDMARC write them, prove a sender; a field from another
// id, one below the trusted one, a pass for another domain, do not.
func TestAuthenticated(t *testing.T) {
	gmail := "Authentication-Results: mx.google.com;\r\n       dkim=pass header.i=@example.net header.s=s1 header.b=abc;\r\n" +
		"       spf=pass (google.com: domain of ana@example.net designates 192.0.2.1 as permitted sender) smtp.mailfrom=ana@example.net;\r\n" +
		"       dmarc=pass (p=NONE sp=NONE dis=NONE) header.from=example.net"
	tests := []struct {
		name, fields, from string
		trusted            []string
		want               string
	}{
		{"gmail dmarc", gmail, "ana@example.net", []string{"mx.google.com"}, "dmarc=pass (mx.google.com)"},
		{"no trusted ids", gmail, "ana@example.net", nil, ""},
		{"another id", gmail, "ana@example.net", []string{"mx.example.org"}, ""},
		{"dmarc for another domain", gmail, "ana@victims.example", []string{"mx.google.com"}, ""},
		{"spf only", "Authentication-Results: mx.example.org; spf=pass smtp.mailfrom=bounce@mail.example.net", "ana@example.net", []string{"mx.example.org"}, "spf=pass (mx.example.org)"},
		{"dkim of a parent domain", "Authentication-Results: mx.example.org 1; dkim=pass header.d=example.net", "ana@news.example.net", []string{"mx.example.org"}, "dkim=pass (mx.example.org)"},
		{"dkim of another domain", "Authentication-Results: mx.example.org; dkim=pass header.d=spam.example", "ana@example.net", []string{"mx.example.org"}, ""},
		{"fail", "Authentication-Results: mx.example.org; dmarc=fail header.from=example.net; spf=softfail smtp.mailfrom=example.net", "ana@example.net", []string{"mx.example.org"}, ""},
		{"none", "Authentication-Results: mx.example.org; none", "ana@example.net", []string{"mx.example.org"}, ""},
		{"forged below the server's own",
			"Authentication-Results: mx.example.org; dmarc=fail header.from=example.net\r\nAuthentication-Results: mx.example.org; dmarc=pass header.from=example.net",
			"ana@example.net", []string{"mx.example.org"}, ""},
		{"comment hiding a pass", "Authentication-Results: mx.example.org; dmarc=fail (dmarc=pass) header.from=example.net", "ana@example.net", []string{"mx.example.org"}, ""},
		{"case", "Authentication-Results: MX.Example.ORG; DMARC=Pass header.from=Example.NET", "ana@example.net", []string{"mx.example.org"}, "dmarc=pass (mx.example.org)"},
	}
	for _, tt := range tests {
		if got := authenticated(headerOf(t, tt.fields), tt.trusted, tt.from); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

// FuzzParseAuthResults: any value parses without panicking, into a
// bounded number of results.
func FuzzParseAuthResults(f *testing.F) {
	for _, s := range []string{"mx.google.com; dkim=pass header.i=@x.net; spf=pass (c (nested)) smtp.mailfrom=a@x.net",
		`x; dmarc="pass" header.from="a\"b"`, "((((", "; ; =;", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if _, rs := parseAuthResults(v); len(rs) > maxAuthResults {
			t.Fatalf("%d results", len(rs))
		}
	})
}
