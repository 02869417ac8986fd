package ingest

import (
	"bufio"
	"bytes"
	"io"
	"net/textproto"
	"strings"

	"github.com/emersion/go-message"
)

// Recipient is one recipient of a delivery status report (RFC 3464).
type Recipient struct {
	Address string // lower case
	Action  string // failed, delayed, delivered, relayed, expanded
	Status  string // the enhanced status code: 5.1.1
}

// ParseDSN reads the recipients of a delivery status report: the
// per-recipient fields of its message/delivery-status part. A message
// without such a part has none; parts that do not read are skipped.
func ParseDSN(raw []byte) []Recipient {
	ent, err := message.Read(bytes.NewReader(headerStart(raw)))
	if ent == nil {
		return nil
	}
	_ = err // a report in an unknown charset still reads
	var out []Recipient
	_ = ent.Walk(func(_ []int, part *message.Entity, err error) error {
		if err != nil {
			return nil
		}
		if t, _, _ := part.Header.ContentType(); t == "message/delivery-status" {
			out = append(out, readStatusFields(part.Body)...)
		}
		return nil
	})
	return out
}

// readStatusFields reads the blocks of fields of a message/delivery-status
// body; the first is about the message, the others one per recipient.
func readStatusFields(body io.Reader) []Recipient {
	r := textproto.NewReader(bufio.NewReader(io.LimitReader(body, 1<<20)))
	var out []Recipient
	for {
		h, err := r.ReadMIMEHeader()
		if len(h) > 0 {
			if rcpt := h.Get("Final-Recipient"); rcpt != "" {
				_, addr, found := strings.Cut(rcpt, ";")
				if !found { // "Final-Recipient: <a@b>", without the address type
					addr = rcpt
				}
				status, _, _ := strings.Cut(strings.TrimSpace(h.Get("Status")), " ")
				out = append(out, Recipient{
					Address: strings.ToLower(strings.Trim(strings.TrimSpace(addr), "<>")),
					Action:  strings.ToLower(strings.TrimSpace(h.Get("Action"))),
					Status:  status,
				})
			}
		}
		if err != nil {
			return out
		}
	}
}
