// Package automail writes and sends the short text mail the newsletter
// sends one person on its own: a confirmation link, an acknowledgement, a
// notification (RFC 3834's Auto-Submitted marks each).
package automail

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"text/template"

	"github.com/wneessen/go-mail"
)

// Mailer sends one message: the sender (publish/delivery) is one.
type Mailer interface {
	SendMessage(ctx context.Context, msg *mail.Msg) error
}

// Mail is one such message.
type Mail struct {
	FromName, FromAddr string
	ToName, ToAddr     string
	Subject            string
	// AutoSubmitted is the Auto-Submitted value (RFC 3834): auto-generated
	// or auto-replied.
	AutoSubmitted string
	// InReplyTo is the Message-ID replied to, without brackets; "" for none.
	InReplyTo string
	// Domain ends the Message-ID: the newsletter's (Newsletter.Host), not
	// the machine's name.
	Domain string
	Body   *template.Template // executed with Data
	Data   any
}

// MessageID returns a new Message-ID at domain (RFC 5322, 3.6.4): 128
// random bits, unique without asking anyone.
func MessageID(domain string) string {
	var r [16]byte
	_, _ = rand.Read(r[:])
	return hex.EncodeToString(r[:]) + "@" + domain
}

// Send renders the body and mails the message through m; id is its
// Message-ID, without brackets.
func (a Mail) Send(ctx context.Context, m Mailer) (id string, err error) {
	var body bytes.Buffer
	if err := a.Body.Execute(&body, a.Data); err != nil {
		return "", err
	}
	msg := mail.NewMsg()
	if err := msg.FromFormat(a.FromName, a.FromAddr); err != nil {
		return "", err
	}
	if err := msg.AddToFormat(a.ToName, a.ToAddr); err != nil {
		return "", err
	}
	msg.Subject(a.Subject)
	msg.SetDate()
	id = MessageID(a.Domain)
	msg.SetMessageIDWithValue(id)
	msg.SetGenHeader(mail.Header("Auto-Submitted"), a.AutoSubmitted)
	if a.InReplyTo != "" {
		msg.SetGenHeader(mail.Header("In-Reply-To"), "<"+a.InReplyTo+">")
		msg.SetGenHeader(mail.Header("References"), "<"+a.InReplyTo+">")
	}
	msg.SetBodyString(mail.TypeTextPlain, body.String())
	return id, m.SendMessage(ctx, msg)
}
