package delivery

import (
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
)

// shownHeaders are the header fields a dry run shows, in this order.
var shownHeaders = []string{"From", "To", "Reply-To", "Subject", "Date", "Message-Id", "List-Id", "List-Unsubscribe", "List-Unsubscribe-Post"}

// PrintReadable prints a message (as Message makes it) as a person reads
// it: the header fields that matter, decoded; the text part, decoded; the
// size of the HTML part. It is for send --dry-run and the demo's page of
// sent mail.
func PrintReadable(w io.Writer, raw []byte) error {
	msg, err := mail.ReadMessage(strings.NewReader(string(raw)))
	if err != nil {
		return fmt.Errorf("publish: read the message back: %w", err)
	}
	dec := new(mime.WordDecoder)
	for _, k := range shownHeaders {
		if v := msg.Header.Get(k); v != "" {
			if d, err := dec.DecodeHeader(v); err == nil {
				v = d
			}
			fmt.Fprintf(w, "%s: %s\n", k, v)
		}
	}
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		return fmt.Errorf("publish: read the message back: %w", err)
	}
	parts := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := parts.NextRawPart()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("publish: read the message back: %w", err)
		}
		var body io.Reader = p
		if strings.EqualFold(p.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
			body = quotedprintable.NewReader(p)
		}
		data, err := io.ReadAll(body)
		if err != nil {
			return fmt.Errorf("publish: read the message back: %w", err)
		}
		switch t, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type")); t {
		case "text/plain":
			fmt.Fprintf(w, "\n%s", strings.ReplaceAll(string(data), "\r\n", "\n"))
		case "text/html":
			fmt.Fprintf(w, "\n[The HTML part: %d bytes; --dry-run --raw shows the whole message.]\n", len(data))
		}
	}
}
