package publish

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"text/template"

	"github.com/wneessen/go-mail"
)

// Mailer sends one message.
type Mailer interface {
	SendMessage(ctx context.Context, msg *mail.Msg) error
}

var _ Mailer = (*Sender)(nil)

// autoMail is a short text message the newsletter sends one person on its
// own: a confirmation link, an acknowledgement, a notification.
type autoMail struct {
	fromName, fromAddr string
	toName, toAddr     string
	subject            string
	// autoSubmitted is the Auto-Submitted value (RFC 3834): auto-generated
	// or auto-replied.
	autoSubmitted string
	// inReplyTo is the Message-ID replied to, without brackets; "" for none.
	inReplyTo string
	// domain ends the Message-ID: the newsletter's (Newsletter.host), not
	// the machine's name.
	domain string
	body   *template.Template
	data   any
}

// messageID is a new Message-ID at domain (RFC 5322, 3.6.4): 128 random
// bits, unique without asking anyone.
func messageID(domain string) string {
	var r [16]byte
	_, _ = rand.Read(r[:])
	return hex.EncodeToString(r[:]) + "@" + domain
}

// send renders the body and mails the message through m; id is its
// Message-ID, without brackets.
func (a autoMail) send(ctx context.Context, m Mailer) (id string, err error) {
	var body bytes.Buffer
	if err := a.body.Execute(&body, a.data); err != nil {
		return "", err
	}
	msg := mail.NewMsg()
	if err := msg.FromFormat(a.fromName, a.fromAddr); err != nil {
		return "", err
	}
	if err := msg.AddToFormat(a.toName, a.toAddr); err != nil {
		return "", err
	}
	msg.Subject(a.subject)
	msg.SetDate()
	id = messageID(a.domain)
	msg.SetMessageIDWithValue(id)
	msg.SetGenHeader(mail.Header("Auto-Submitted"), a.autoSubmitted)
	if a.inReplyTo != "" {
		msg.SetGenHeader(mail.Header("In-Reply-To"), "<"+a.inReplyTo+">")
		msg.SetGenHeader(mail.Header("References"), "<"+a.inReplyTo+">")
	}
	msg.SetBodyString(mail.TypeTextPlain, body.String())
	return id, m.SendMessage(ctx, msg)
}
