package ingest

import (
	"strings"
)

// Classify says whether a parsed message is a reader's question: it returns
// "" for a question, else the kind of message it is and a reason in words.
// ownAddress is the newsletter's address (mail from it is never a
// question). It looks at the header and the text only.
//
// The rules follow RFC 3834 (Auto-Submitted), RFC 2919 (List-Id), RFC 3464
// (delivery status reports) and RFC 5965 (feedback reports), plus the
// headers common clients and servers use instead.
func Classify(m *Message, ownAddress string) (Kind, string) {
	return classify(m, ownAddress, CleanText(m.Text))
}

// classify is Classify, given the message's text already cleaned.
func classify(m *Message, ownAddress, cleaned string) (Kind, string) {
	h := m.Header
	switch {
	case ownAddress != "" && strings.EqualFold(m.FromAddr, ownAddress):
		return KindOwn, "sent from the newsletter's own address"
	case m.ContentType == "multipart/report" && m.ReportType == "feedback-report":
		return KindComplaint, "an abuse report (feedback-report)"
	case isBounce(m):
		return KindBounce, "a delivery status report (bounce)"
	case isUnsubscribe(m.Subject):
		return KindUnsubscribe, "an unsubscribe request (the mailto: of List-Unsubscribe)"
	}
	if v := strings.ToLower(strings.TrimSpace(h.Get("Auto-Submitted"))); v != "" && v != "no" {
		return KindAutoReply, "Auto-Submitted: " + v
	}
	for _, k := range []string{"X-Autoreply", "X-Autorespond", "X-Autoresponse"} {
		if h.Get(k) != "" {
			return KindAutoReply, k + " header"
		}
	}
	if h.Get("X-Auto-Response-Suppress") != "" && strings.Contains(strings.ToLower(h.Get("X-Auto-Response-Suppress")), "oof") && isOutOfOffice(m.Subject) {
		return KindAutoReply, "an out-of-office reply"
	}
	switch p := strings.ToLower(strings.TrimSpace(h.Get("Precedence"))); p {
	case "bulk", "junk", "auto_reply":
		return KindAutoReply, "Precedence: " + p
	case "list":
		return KindList, "Precedence: list"
	}
	if id := h.Get("List-Id"); id != "" {
		return KindList, "from a mailing list (" + headerDecoder{}.decode(id) + ")"
	}
	if isOutOfOffice(m.Subject) {
		return KindAutoReply, "an out-of-office reply"
	}
	if strings.TrimSpace(cleaned) == "" {
		return KindNoText, "no readable text"
	}
	return "", ""
}

// isBounce recognises delivery status reports, standard or not.
func isBounce(m *Message) bool {
	if m.ContentType == "multipart/report" && (m.ReportType == "delivery-status" || m.ReportType == "") {
		return true
	}
	local, _, _ := strings.Cut(m.FromAddr, "@")
	switch local {
	case "mailer-daemon", "postmaster":
		return true
	}
	if strings.TrimSpace(m.Header.Get("Return-Path")) == "<>" && m.Header.Get("X-Failed-Recipients") != "" {
		return true
	}
	s := strings.ToLower(m.Subject)
	return strings.HasPrefix(s, "undeliverable:") || strings.HasPrefix(s, "undelivered mail returned to sender") ||
		strings.HasPrefix(s, "delivery status notification (failure)") || strings.HasPrefix(s, "mail delivery failed")
}

// isUnsubscribe recognises a mail sent to the mailto: address of the list
// mail's List-Unsubscribe (RFC 2369), whose subject is "unsubscribe", as
// mail clients send it (a reply to it too).
func isUnsubscribe(subject string) bool {
	s := strings.ToLower(strings.TrimSpace(CleanSubject(subject)))
	return s == "unsubscribe"
}

// isOutOfOffice recognises the subjects of absence replies.
func isOutOfOffice(subject string) bool {
	s := strings.ToLower(subject)
	for _, p := range []string{"out of office", "out of the office", "automatic reply", "auto reply:", "autoreply", "abwesenheitsnotiz", "réponse automatique", "respuesta automática"} {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}
