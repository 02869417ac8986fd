package mailmsg

import (
	"bufio"
	"bytes"
	"io"
	"mailbag/internal/mailaddr"
	"mailbag/questions"
	"net/mail"
	"net/textproto"
	"regexp"
	"strconv"
	"strings"
)

// maxReportIDs bounds how many Message-IDs a report may name.
const maxReportIDs = 50

// ReportOf reads what m, a message of kind, reports; the zero Report for
// a kind that reports nothing. It reads only what Parse kept of m.
func ReportOf(kind questions.Kind, m *Message) questions.Report {
	var r questions.Report
	switch kind {
	case questions.KindBounce:
		r.Recipients = m.statusRecipients()
		if len(r.Recipients) == 0 {
			r.Recipients = failedRecipients(m.Header.Get("X-Failed-Recipients"), textStatus(m.Text))
		}
		if len(r.Recipients) == 0 {
			r.Recipients = m.json.recipients
		}
	case questions.KindComplaint:
		r.Recipients = m.complainants()
	case questions.KindUnsubscribe:
		if m.FromAddr != "" {
			r.Recipients = []questions.Recipient{{Address: m.FromAddr, Action: questions.ActionUnsubscribe}}
		}
		r.Token = unsubscribeToken(m.Subject)
		return r
	default:
		return r
	}
	r.MessageIDs = m.reportedIDs()
	return r
}

// statusRecipients reads the per-recipient fields of the message's
// message/delivery-status and message/global-delivery-status parts.
func (m *Message) statusRecipients() []questions.Recipient {
	var out []questions.Recipient
	for _, p := range m.reportParts {
		if p.mediaType == "message/delivery-status" || p.mediaType == "message/global-delivery-status" {
			out = append(out, readStatusFields(p.body)...)
		}
	}
	return out
}

// readStatusFields reads the blocks of fields of a delivery-status body;
// the first is about the message, the others one per recipient.
func readStatusFields(body []byte) []questions.Recipient {
	r := textproto.NewReader(bufio.NewReader(bytes.NewReader(body)))
	var out []questions.Recipient
	for {
		h, err := r.ReadMIMEHeader()
		if final := statusAddress(h.Get("Final-Recipient")); final != "" {
			status, _, _ := strings.Cut(strings.TrimSpace(h.Get("Status")), " ")
			rcpt := questions.Recipient{
				Address: final,
				Action:  strings.ToLower(strings.TrimSpace(h.Get("Action"))),
				Status:  status,
			}
			if orig := statusAddress(h.Get("Original-Recipient")); orig != final {
				rcpt.Original = orig
			}
			out = append(out, rcpt)
		}
		if err != nil {
			return out
		}
	}
}

// statusAddress reads the address of a Final-Recipient or
// Original-Recipient field: "rfc822; a@b", "utf-8; a@\x{...}" (RFC 6533,
// its embedded characters decoded), or a bare "<a@b>"; lower case, "" when
// there is none.
func statusAddress(v string) string {
	_, addr, found := strings.Cut(v, ";")
	if !found {
		addr = v
	}
	addr = mailaddr.Key(strings.Trim(addr, " \t<>"))
	if strings.Contains(addr, `\x{`) {
		addr = embeddedUnicode.ReplaceAllStringFunc(addr, func(s string) string {
			n, err := strconv.ParseUint(s[3:len(s)-1], 16, 32)
			if err != nil {
				return s
			}
			return string(rune(n))
		})
	}
	if strings.Count(addr, "@") != 1 || strings.ContainsAny(addr, " \t") {
		return ""
	}
	return addr
}

// embeddedUnicode is RFC 6533's embedded-unicode-char: \x{HEXPOINT}.
var embeddedUnicode = regexp.MustCompile(`\\x\{[0-9a-f]{1,6}\}`)

// failedRecipients reads an X-Failed-Recipients field (Exim, Gmail): a
// list of addresses, each failed with status (the notice's text's, or "").
func failedRecipients(v, status string) []questions.Recipient {
	var out []questions.Recipient
	for _, a := range strings.Split(v, ",") {
		if a = mailaddr.Key(strings.Trim(a, " \t<>")); strings.Count(a, "@") == 1 {
			out = append(out, questions.Recipient{Address: a, Action: "failed", Status: status})
		}
	}
	return out
}

// enhancedStatus matches an enhanced status code (RFC 3463) in a notice's
// text, after an SMTP reply code: "550 5.1.1".
var enhancedStatus = regexp.MustCompile(`\b[45]\d\d[ -]([45]\.\d{1,3}\.\d{1,3})\b`)

// textStatus returns the first enhanced status code a notice's text gives after
// a reply code, in its first 16 KB; "" for none.
func textStatus(text string) string {
	if len(text) > 16<<10 {
		text = text[:16<<10]
	}
	if m := enhancedStatus.FindStringSubmatch(text); m != nil {
		return m[1]
	}
	return ""
}

// complainants reads whom an abuse report (ARF, RFC 5965) is about: the
// Original-Rcpt-To of its feedback-report part, else the
// X-HmXmrOriginalRecipient of Hotmail's reports (in the reported message,
// or the report's own header), else the To of the reported message; the
// recipients of a JSON complaint notification. Each comes back with Action
// ActionComplained.
func (m *Message) complainants() []questions.Recipient {
	var fromReport, fromMessage []questions.Recipient
	if v := m.Header.Get("X-HmXmrOriginalRecipient"); v != "" {
		fromReport = complainant(v)
	}
	for _, p := range m.reportParts {
		switch {
		case p.mediaType == "message/feedback-report":
			for _, v := range p.fields().Values("Original-Rcpt-To") {
				fromReport = append(fromReport, complainant(v)...)
			}
		case p.returned():
			h := p.fields()
			if v := h.Get("X-HmXmrOriginalRecipient"); v != "" {
				fromReport = append(fromReport, complainant(v)...)
			}
			fromMessage = append(fromMessage, complainant(h.Get("To"))...)
		}
	}
	switch {
	case len(fromReport) > 0:
		return fromReport
	case len(fromMessage) > 0:
		return fromMessage
	}
	return m.json.recipients
}

// complainant reads the addresses of a field: "someuser@yahoo.com", or
// "Name <a@b>" lists; each lower-cased, as ActionComplained.
func complainant(v string) []questions.Recipient {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	var out []questions.Recipient
	if list, err := mail.ParseAddressList(v); err == nil {
		for _, a := range list {
			out = append(out, questions.Recipient{Address: mailaddr.Key(a.Address), Action: questions.ActionComplained})
		}
		return out
	}
	if a := strings.Trim(v, "<> "); strings.Count(a, "@") == 1 && !strings.ContainsAny(a, " \t") {
		out = append(out, questions.Recipient{Address: mailaddr.Key(a), Action: questions.ActionComplained})
	}
	return out
}

// quotedMessageID matches a Message-ID header quoted in a notice's text,
// as qmail, Exchange and Gmail quote the returned message's header.
var quotedMessageID = regexp.MustCompile(`(?im)^[ \t>]*Message-ID:[ \t]*(<[^<>\s]{1,250}>)`)

// reportedIDs returns the Message-IDs m names as the mail it reports on,
// each once, at most maxReportIDs.
func (m *Message) reportedIDs() []string {
	var ids []string
	seen := map[string]bool{}
	add := func(id string) {
		if id != "" && !seen[id] && len(ids) < maxReportIDs {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	for _, p := range m.reportParts {
		if p.returned() {
			add(messageID(p.fields().Get("Message-Id")))
		}
	}
	text := m.Text
	if len(text) > 256<<10 {
		text = text[:256<<10]
	}
	for _, sub := range quotedMessageID.FindAllStringSubmatch(text, maxReportIDs) {
		add(messageID(sub[1]))
	}
	for _, id := range m.json.messageIDs {
		add(messageID(id))
	}
	for _, id := range m.Refs {
		add(id)
	}
	return ids
}

// unsubscribeToken returns the word after "unsubscribe" in an unsubscribe
// request's subject ("unsubscribe 1z.Q2hJ..."), as List-Unsubscribe's
// mailto: writes it; "" for none.
func unsubscribeToken(subject string) string {
	f := strings.Fields(cleanSubject(subject))
	if len(f) != 2 || !strings.EqualFold(f[0], "unsubscribe") || len(f[1]) > 200 {
		return ""
	}
	return f[1]
}

// reportPart is a part of a message that says what it reports on: a
// delivery-status or feedback-report part, or the returned message or its
// header; body is its decoded content, at most maxReportPart bytes.
type reportPart struct {
	mediaType string
	body      []byte
}

// maxReportPart bounds how much of one report part is kept, and
// maxReportParts how many are.
const (
	maxReportPart  = 64 << 10
	maxReportParts = 8
)

// reportMediaTypes are the media types of the parts a reportPart keeps.
var reportMediaTypes = map[string]bool{
	"message/delivery-status": true, "message/global-delivery-status": true, // RFC 3464, RFC 6533
	"message/feedback-report": true,                         // RFC 5965
	"message/rfc822":          true, "message/global": true, // the returned message (RFC 6533: internationalised)
	"text/rfc822-headers": true, "message/global-headers": true, // its header alone
}

// returned says whether the part is the returned message, or its header.
func (p reportPart) returned() bool {
	switch p.mediaType {
	case "message/rfc822", "message/global", "text/rfc822-headers", "message/global-headers":
		return true
	}
	return false
}

// fields reads the part as a block of header fields (the returned
// message's header, or a feedback report).
func (p reportPart) fields() textproto.MIMEHeader {
	h, _ := textproto.NewReader(bufio.NewReader(bytes.NewReader(headerStart(p.body)))).ReadMIMEHeader()
	return h
}

// readReportPart reads at most maxReportPart bytes of a report part.
func readReportPart(mediaType string, body io.Reader) reportPart {
	b, _ := io.ReadAll(io.LimitReader(body, maxReportPart))
	return reportPart{mediaType: mediaType, body: b}
}
