package ingest

import (
	"bufio"
	"bytes"
	"io"
	"net/mail"
	"net/textproto"
	"strings"

	"github.com/emersion/go-message"
)

// ParseComplaint reads whom an abuse report (ARF, RFC 5965) is about: the
// Original-Rcpt-To of its message/feedback-report part, else the To of the
// reported message it carries (message/rfc822 or text/rfc822-headers).
// Of Hotmail's reports (the reported message, whole or attached) it reads
// X-HmXmrOriginalRecipient. Each comes back with Action ActionComplained;
// a message that says none of these has none.
func ParseComplaint(raw []byte) []Recipient {
	ent, _ := message.Read(bytes.NewReader(headerStart(raw)))
	if ent == nil {
		return nil
	}
	if v := ent.Header.Get("X-HmXmrOriginalRecipient"); v != "" {
		return complainant(v)
	}
	var fromReport, fromMessage []Recipient
	_ = ent.Walk(func(_ []int, part *message.Entity, err error) error {
		if err != nil {
			return nil
		}
		switch t, _, _ := part.Header.ContentType(); t {
		case "message/feedback-report":
			h := readFields(part.Body)
			for _, v := range h.Values("Original-Rcpt-To") {
				fromReport = append(fromReport, complainant(v)...)
			}
		case "message/rfc822", "text/rfc822-headers":
			h := readFields(part.Body)
			if v := h.Get("X-HmXmrOriginalRecipient"); v != "" {
				fromReport = append(fromReport, complainant(v)...)
			}
			fromMessage = append(fromMessage, complainant(h.Get("To"))...)
			return nil
		}
		return nil
	})
	if len(fromReport) > 0 {
		return fromReport
	}
	return fromMessage
}

// readFields reads a block of header fields, at most 64 KB of them.
func readFields(body io.Reader) textproto.MIMEHeader {
	h, _ := textproto.NewReader(bufio.NewReader(io.LimitReader(body, 64<<10))).ReadMIMEHeader()
	return h
}

// complainant reads the addresses of a field: "someuser@yahoo.com", or
// "Name <a@b>" lists; each lower-cased, as ActionComplained.
func complainant(v string) []Recipient {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	var out []Recipient
	if list, err := mail.ParseAddressList(v); err == nil {
		for _, a := range list {
			out = append(out, Recipient{Address: strings.ToLower(a.Address), Action: ActionComplained})
		}
		return out
	}
	if a := strings.Trim(v, "<> "); strings.Count(a, "@") == 1 && !strings.ContainsAny(a, " \t") {
		out = append(out, Recipient{Address: strings.ToLower(a), Action: ActionComplained})
	}
	return out
}
