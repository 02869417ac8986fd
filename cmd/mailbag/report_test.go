package main

import (
	"bytes"
	"fmt"
	"net/mail"
	"os"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"

	"mailbag/internal/peers"
)

// cmdReport writes FILE: a report about the last mail the script's SMTP
// server got for ADDR, as a mail system or a reader's mail program writes
// it back to the questions address:
//
//	report dsn|arf|unsubscribe ADDR FILE
//
// dsn: a delivery status report (RFC 3464), 5.1.1, returning the mail's
// header; arf: an abuse report (RFC 5965) carrying the mail; unsubscribe:
// a mail from another address to the mailto: of the mail's
// List-Unsubscribe.
func cmdReport(ts *testscript.TestScript, neg bool, args []string) {
	v, ok := sinks.Load(ts.Getenv("WORK"))
	if neg || !ok || len(args) != 3 {
		ts.Fatalf("usage: smtpserver HOME first, then report dsn|arf|unsubscribe ADDR FILE")
	}
	kind, addr, file := args[0], args[1], args[2]
	var last []byte
	for _, m := range v.(*peers.SMTPSink).Messages() {
		for _, to := range m.To {
			if strings.EqualFold(to, addr) {
				last = m.Data
			}
		}
	}
	if last == nil {
		ts.Fatalf("the SMTP server got no mail for %s", addr)
	}
	header, _, _ := bytes.Cut(bytes.ReplaceAll(last, []byte("\r\n"), []byte("\n")), []byte("\n\n"))
	var out string
	switch kind {
	case "dsn":
		out = "From: Mail Delivery System <MAILER-DAEMON@mx.example.net>\nTo: ask@example.org\nSubject: Undelivered Mail Returned to Sender\n" +
			"Message-ID: <dsn." + addr + "@mx.example.net>\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\n\n" +
			"--b\nContent-Type: text/plain\n\nNo such user.\n--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n\n" +
			"Final-Recipient: rfc822; " + addr + "\nAction: failed\nStatus: 5.1.1\n\n--b\nContent-Type: text/rfc822-headers\n\n" + string(header) + "\n\n--b--\n"
	case "arf":
		out = "From: Feedback Loop <fbl@example.net>\nTo: ask@example.org\nSubject: Abuse report\nMessage-ID: <arf." + addr + "@example.net>\nMIME-Version: 1.0\n" +
			"Content-Type: multipart/report; report-type=feedback-report; boundary=b\n\n--b\nContent-Type: text/plain\n\nA complaint.\n" +
			"--b\nContent-Type: message/feedback-report\n\nFeedback-Type: abuse\nUser-Agent: fbl/1\nVersion: 1\nOriginal-Rcpt-To: " + addr + "\n\n" +
			"--b\nContent-Type: message/rfc822\n\n" + strings.ReplaceAll(string(last), "\r\n", "\n") + "\n--b--\n"
	case "unsubscribe":
		m, err := mail.ReadMessage(bytes.NewReader(last))
		ts.Check(err)
		lu := m.Header.Get("List-Unsubscribe")
		i := strings.Index(lu, "mailto:")
		if i < 0 {
			ts.Fatalf("no mailto: in List-Unsubscribe %q", lu)
		}
		mailto := lu[i:]
		mailto = mailto[:strings.IndexByte(mailto, '>')]
		_, subject, _ := strings.Cut(mailto, "?subject=")
		out = fmt.Sprintf("From: Someone Else <other@example.org>\nTo: ask@example.org\nSubject: %s\nMessage-ID: <unsub.%s@example.org>\n\nSent by a mail program's unsubscribe button.\n",
			strings.ReplaceAll(subject, "%20", " "), addr)
	default:
		ts.Fatalf("report: %q is not dsn, arf or unsubscribe", kind)
	}
	ts.Check(os.WriteFile(ts.MkAbs(file), []byte(out), 0o644))
}
