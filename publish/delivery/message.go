package delivery

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	"io"
	"strings"
	"time"

	"github.com/wneessen/go-mail"

	"mailbag/archive"
	"mailbag/internal/automail"
	"mailbag/publish/mailinglist"
	"mailbag/templates"
)

// unsubscribeMarker stands for the subscriber's unsubscribe URL in a
// message rendered once for everyone; it survives HTML escaping.
const unsubscribeMarker = "MAILBAG-UNSUBSCRIBE-URL"

// Rendered is a post rendered for the list once; Message makes each
// subscriber's copy from it.
type Rendered struct {
	n          mailinglist.Newsletter
	post       *archive.Post
	text, html string
	key        []byte
	host       string // n.Host(), worked out once
}

// mailData is what mail.txt and mail.html are executed with.
type mailData struct {
	Title, Newsletter, Address, PostURL, UnsubscribeURL string
	Underline                                           []struct{}
	Markdown                                            string
	HTML                                                htmltemplate.HTML
	// OutlookStart and OutlookEnd open and close a 640-pixel table in
	// conditional comments that only desktop Outlook reads (it ignores
	// max-width); html/template drops comments written in a template.
	OutlookStart, OutlookEnd htmltemplate.HTML
}

// The conditional comments of mailData.
const (
	outlookStart = `<!--[if mso]><table role="presentation" width="640" align="center" cellpadding="0" cellspacing="0" border="0"><tr><td><![endif]-->`
	outlookEnd   = `<!--[if mso]></td></tr></table><![endif]-->`
)

// CheckMailTemplates runs mail.txt and mail.html on sample data: an
// override naming a field the mail does not have is found before anything
// is sent.
func CheckMailTemplates(t *templates.Set) error {
	full := mailData{Title: "T", Newsletter: "N", Address: "a@b", PostURL: "https://u/", UnsubscribeURL: "https://u/",
		Underline: make([]struct{}, 1), Markdown: "m", HTML: "h"}
	for _, name := range []string{"mail.txt", "mail.html"} {
		if err := t.Check(name, full, mailData{}); err != nil {
			return err
		}
	}
	return nil
}

// RenderOptions are what Render needs besides the post.
type RenderOptions struct {
	Newsletter mailinglist.Newsletter
	Key        []byte         // signs the unsubscribe links (mailinglist.LoadSecret)
	Templates  *templates.Set // mail.txt and mail.html
}

// Render renders post for the list from the mail.txt and mail.html
// templates: the Markdown as the text part, goldmark's HTML in a simple,
// readable layout as the HTML part.
func Render(post *archive.Post, o RenderOptions) (*Rendered, error) {
	n, key, t := o.Newsletter, o.Key, o.Templates
	body, err := archive.RenderHTML(post.Body)
	if err != nil {
		return nil, err
	}
	data := mailData{
		Title: post.Title, Newsletter: n.Title, Address: n.Address,
		PostURL:        n.URL(post),
		UnsubscribeURL: unsubscribeMarker,
		Underline:      make([]struct{}, len([]rune(post.Title))),
		Markdown:       unescapeQuotes(strings.TrimSpace(string(post.Body))),
		HTML:           htmltemplate.HTML(mailHTML(string(body), n.URL(post))), // goldmark's output, styled: raw HTML in posts is escaped
		OutlookStart:   outlookStart,
		OutlookEnd:     outlookEnd,
	}
	var text, html bytes.Buffer
	if err := t.Text("mail.txt").Execute(&text, data); err != nil {
		return nil, fmt.Errorf("publish: mail.txt: %w", err)
	}
	if err := t.HTML("mail.html").Execute(&html, data); err != nil {
		return nil, fmt.Errorf("publish: mail.html: %w", err)
	}
	return &Rendered{n: n, post: post, text: text.String(), html: html.String(), key: key, host: n.Host()}, nil
}

// unsubscribeURL returns the personal unsubscribe link of a subscriber.
func unsubscribeURL(n mailinglist.Newsletter, key []byte, sub *mailinglist.Subscriber) string {
	return strings.TrimRight(n.BaseURL, "/") + "/unsubscribe?t=" + mailinglist.UnsubscribeToken(key, sub)
}

// unsubscribeMailto returns the mailto: URL of a subscriber's List-Unsubscribe:
// a mail to the newsletter's address whose subject is "unsubscribe" and
// the subscriber's signed token, which unsubscribes them whoever sends it
// (ApplyReports); a mail without the token changes nothing.
func unsubscribeMailto(n mailinglist.Newsletter, key []byte, sub *mailinglist.Subscriber) string {
	return "mailto:" + n.Address + "?subject=unsubscribe%20" + mailinglist.UnsubscribeToken(key, sub)
}

// Message makes the copy of the post for one subscriber: From and Reply-To
// the newsletter's address, Date, a Message-ID, List-Id, and the personal
// unsubscribe link in the body and in List-Unsubscribe, with one-click
// unsubscribing (RFC 8058) when the site is on https.
func (r *Rendered) Message(sub *mailinglist.Subscriber, now time.Time) (*mail.Msg, error) {
	return r.message(sub, now, nil)
}

// message does what Message does with a hook: written, when not nil, is called each
// time the message is written out, once all of it is made and before its
// end goes out (go-mail makes the last part whole before writing it, and
// SMTP's final dot comes after). Its error stops the writing.
func (r *Rendered) message(sub *mailinglist.Subscriber, now time.Time, written func() error) (*mail.Msg, error) {
	unsub := unsubscribeURL(r.n, r.key, sub)
	m := mail.NewMsg()
	if err := m.FromFormat(r.n.Title, r.n.Address); err != nil {
		return nil, fmt.Errorf("publish: from %s: %w", r.n.Address, err)
	}
	if err := m.ReplyTo(r.n.Address); err != nil {
		return nil, fmt.Errorf("publish: reply-to %s: %w", r.n.Address, err)
	}
	if err := m.AddToFormat(sub.Name, sub.Email); err != nil {
		return nil, fmt.Errorf("publish: to %s: %w", sub.Email, err)
	}
	m.Subject(r.post.Title)
	m.SetDateWithValue(now)
	// Random: a report proves it answers this copy by naming its
	// Message-ID, so nobody may guess one (ApplyReports).
	m.SetMessageIDWithValue(automail.MessageID(r.host))
	m.SetGenHeader(mail.Header("List-Id"), r.n.Title+" <"+r.host+">")
	mailto := unsubscribeMailto(r.n, r.key, sub)
	if strings.HasPrefix(unsub, "https://") {
		if err := m.SetListUnsubscribeOneClick(unsub, mailto); err != nil {
			return nil, fmt.Errorf("publish: list-unsubscribe: %w", err)
		}
	} else {
		m.SetListUnsubscribe(unsub, mailto)
	}
	m.SetBodyString(mail.TypeTextPlain, strings.ReplaceAll(r.text, unsubscribeMarker, unsub))
	html := strings.ReplaceAll(r.html, unsubscribeMarker, unsub)
	m.AddAlternativeWriter(mail.TypeTextHTML, func(w io.Writer) (int64, error) {
		n, err := io.WriteString(w, html)
		if err == nil && written != nil {
			err = written()
		}
		return int64(n), err
	})
	return m, nil
}
