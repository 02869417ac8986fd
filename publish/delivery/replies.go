package delivery

import (
	"errors"
	"strings"

	"github.com/wneessen/go-mail"
)

// verdict is what a reply of the relay, or a status in a delivery report,
// means for a subscriber and for the run.
type verdict int

const (
	// tryLater: a 4xx reply, or none (a dropped connection): the message
	// is sent again, later.
	tryLater verdict = iota
	// relayRefuses: the relay will take no message from us as things are
	// (our sender address, its policy, authentication, the protocol, its
	// own system): the run stops, blaming the relay, and no subscriber is
	// failed or bounced.
	relayRefuses
	// addressGone: the recipient's address does not exist: the delivery
	// fails and the subscriber is bounced.
	addressGone
	// messageRefused: refused for good for this recipient, for another
	// reason (a full or disabled mailbox, a domain that cannot be
	// reached): the delivery fails; the subscriber stays.
	messageRefused
)

// recipientGone are the enhanced status codes (RFC 3463) that say the
// recipient's address does not exist: bad mailbox (5.1.1), bad system
// (5.1.2), bad address syntax (5.1.3), moved with no forwarding (5.1.6),
// null MX (5.1.10, RFC 7505).
var recipientGone = map[string]bool{"5.1.1": true, "5.1.2": true, "5.1.3": true, "5.1.6": true, "5.1.10": true}

// classify reads one permanent or temporary reply: code is the basic code
// (RFC 5321), enhanced the enhanced status ("" when the server gave none),
// and rcpt whether it answered RCPT TO (or, in a delivery report, is about
// the recipient). The table, in order:
//
//	no reply, 4xx                        tryLater
//	5.1.7, 5.1.8 (our sender address)    relayRefuses
//	5.7.x (policy, auth, security)       relayRefuses
//	5.5.x (protocol), 5.3.x (system)     relayRefuses
//	530, 535 (authentication), 5xx to MAIL FROM    relayRefuses
//	5.1.1, 5.1.2, 5.1.3, 5.1.6, 5.1.10   addressGone
//	550, 551, 553 to RCPT TO, no enhanced code     addressGone
//	any other 5xx                        messageRefused
func classify(code int, enhanced string, mailFrom, rcpt bool) verdict {
	switch {
	case code < 500:
		return tryLater
	case enhanced == "5.1.7" || enhanced == "5.1.8",
		strings.HasPrefix(enhanced, "5.7."), strings.HasPrefix(enhanced, "5.5."), strings.HasPrefix(enhanced, "5.3."),
		code == 530 || code == 535, mailFrom:
		return relayRefuses
	case recipientGone[enhanced]:
		return addressGone
	case enhanced == "" && rcpt && (code == 550 || code == 551 || code == 553):
		return addressGone
	}
	return messageRefused
}

// classifyError does what classify does for an error of go-mail's.
func classifyError(err error) verdict {
	var se *mail.SendError
	if !errors.As(err, &se) {
		return tryLater
	}
	return classify(se.ErrorCode(), se.EnhancedStatusCode(), se.Reason == mail.ErrSMTPMailFrom, se.Reason == mail.ErrSMTPRcptTo)
}

// reportVerdict does what classify does for a recipient of a delivery report (RFC
// 3464): only a failed delivery with a 5.x.x status is permanent.
func reportVerdict(action, status string) verdict {
	if action != "failed" || !strings.HasPrefix(status, "5.") {
		return tryLater
	}
	return classify(550, status, false, true)
}
