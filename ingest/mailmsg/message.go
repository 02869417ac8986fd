// Package mailmsg reads one mail message: MIME (RFC 2045-2049, any
// charset; HTML as text) into a question's text with reply history and
// signatures stripped, what is not a question set aside with the rule
// that says so (auto-replies per RFC 3834, list mail, bounces, the
// newsletter's own mail), what a report says (RFC 3464 and 6533, ARF),
// what the receiving server's Authentication-Results proved, and the
// files it came with. It reads; it stores nothing.
package mailmsg

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mailbag/internal/mailaddr"
	"mailbag/questions"
	"mime"
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // every charset go-message knows, for bodies and headers
	gomail "github.com/emersion/go-message/mail"
	"golang.org/x/text/encoding"
	utf16 "golang.org/x/text/encoding/unicode"
	"golang.org/x/text/encoding/unicode/utf32"
)

// Message is what ingest reads of one raw message: the headers that decide
// what it is, and its readable text.
type Message struct {
	// Key identifies the message across mailboxes and rescans: its
	// Message-ID, else "sha256:" and a hash of the raw bytes.
	Key       string
	MessageID string
	// Refs are the Message-IDs it replies to: In-Reply-To's, then
	// References' not already there (without angle brackets).
	Refs     []string
	Subject  string // decoded, as sent
	FromName string
	FromAddr string // lower-case
	Date     time.Time
	Header   message.Header
	// ContentType is the top-level media type ("multipart/report").
	ContentType string
	// ReportType is the report-type parameter of a multipart/report.
	ReportType string
	// Text is the readable text: the text/plain part, else the HTML part as
	// text; "" when there is none.
	Text string
	// Attachments are the files it came with (at most maxAttachments).
	Attachments []questions.Attachment

	// reportParts are the parts that say what a report is about (see
	// reportPart), json what a JSON notification in Text says: kept by
	// the one parse, for readReport.
	reportParts []reportPart
	json        jsonReport
	isJSON      bool
}

// maxTextPart bounds how much of one text part is read.
const maxTextPart = 1 << 20

// wordDecoder decodes RFC 2047 words in any charset go-message knows.
var wordDecoder = &mime.WordDecoder{CharsetReader: func(cs string, r io.Reader) (io.Reader, error) {
	return message.CharsetReader(cs, r)
}}

// readEntity reads a raw message's header and the reader of its body; the
// error is for a header that cannot be read at all.
func readEntity(raw []byte) (*message.Entity, error) {
	raw = headerStart(raw)
	ent, err := message.Read(bytes.NewReader(raw))
	if ent == nil {
		// A header line that is neither "Name: value" nor folded: read it
		// as folded into the line above, as lenient readers do.
		if fixed, ok := repairHeader(raw); ok {
			ent, err = message.Read(bytes.NewReader(fixed))
		}
	}
	if ent == nil || (err != nil && !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err)) {
		if err == nil {
			err = errors.New("no header")
		}
		return nil, fmt.Errorf("ingest: unreadable message header: %w", err)
	}
	return ent, nil
}

// ReadAttachments calls file with each file raw came with, in the order
// and with the names Parse lists them (Message.Attachments), and a
// reader of its decoded bytes; Size is counted as it is read. It stops at
// the first error file returns.
func ReadAttachments(raw []byte, file func(questions.Attachment, io.Reader) error) error {
	ent, err := readEntity(raw)
	if err != nil {
		return err
	}
	w := walker{onFile: file}
	w.walk(ent, 0)
	return w.fileErr
}

// Parse reads a raw RFC 5322 message. Broken MIME is read as far as
// it goes: a part that cannot be decoded is skipped. The error is for a
// message whose header cannot be read at all.
func Parse(raw []byte) (*Message, error) {
	ent, err := readEntity(raw)
	if err != nil {
		return nil, err
	}
	m := &Message{Header: ent.Header}
	h := gomail.Header{Header: ent.Header}
	_, ctParams, _ := ent.Header.ContentType()
	hd := headerDecoder{fallback: ctParams["charset"]}
	m.MessageID = messageID(ent.Header.Get("Message-Id"))
	m.Key = m.MessageID
	if m.Key == "" {
		m.Key = contentKey(raw)
	}
	m.Refs = messageIDs(ent.Header.Get("In-Reply-To") + " " + ent.Header.Get("References"))
	m.Subject = hd.decode(ent.Header.Get("Subject"))
	m.FromName, m.FromAddr = hd.parseFrom(ent.Header.Get("From"))
	if d, err := h.Date(); err == nil {
		m.Date = d
	}
	if t, params, err := ent.Header.ContentType(); err == nil {
		m.ContentType = strings.ToLower(t)
		m.ReportType = strings.ToLower(params["report-type"])
	} else {
		m.ContentType = "text/plain"
	}
	var w walker
	w.walk(ent, 0)
	switch {
	case strings.TrimSpace(w.plain) != "":
		m.Text = w.plain
	case strings.TrimSpace(w.html) != "":
		m.Text = htmlText(w.html)
	}
	m.reportParts = w.reports
	m.Attachments = w.attachments
	m.json, m.isJSON = readJSONReport(m.Text)
	return m, nil
}

// maxRefLen bounds a Message-ID read from In-Reply-To or References.
const maxRefLen = 250

// messageIDs returns the <...> Message-IDs in v, in order, each once, without
// brackets; at most maxRefs of them (the last), each of at most maxRefLen.
func messageIDs(v string) []string {
	var out []string
	seen := map[string]bool{}
	for {
		i := strings.IndexByte(v, '<')
		if i < 0 {
			break
		}
		j := strings.IndexByte(v[i:], '>')
		if j < 0 {
			break
		}
		id := strings.TrimSpace(v[i+1 : i+j])
		v = v[i+j+1:]
		if id == "" || len(id) > maxRefLen || strings.ContainsAny(id, "<> \t") || seen[id] {
			continue
		}
		seen[id] = true
		out = append(out, id)
	}
	return out[max(0, len(out)-questions.MaxRefs):]
}

// messageID returns a Message-ID without its angle brackets and spaces.
func messageID(v string) string {
	v = strings.TrimSpace(v)
	if i := strings.IndexByte(v, '<'); i >= 0 {
		if j := strings.IndexByte(v[i:], '>'); j > 0 {
			v = v[i+1 : i+j]
		}
	}
	return strings.TrimSpace(v)
}

// contentKey returns the key of a message without a Message-ID: a hash of its
// bytes with line endings made LF, so that the same message read from a
// file (LF) and served over IMAP (CRLF) has the same key.
func contentKey(raw []byte) string {
	sum := sha256.Sum256(bytes.ReplaceAll(raw, []byte("\r\n"), []byte("\n")))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// headerStart skips what some stores put before a message's header: an
// mbox "From " line, blank or space-only lines.
func headerStart(raw []byte) []byte {
	for len(raw) > 0 {
		line, rest, found := bytes.Cut(raw, []byte("\n"))
		switch {
		case len(bytes.TrimSpace(line)) == 0 && found:
			raw = rest
		case bytes.HasPrefix(line, []byte("From ")) && found:
			raw = rest
		default:
			return raw
		}
	}
	return raw
}

// headerField matches the start of a header field: a name, maybe spaces
// (obsolete syntax, RFC 5322 4.5), a colon.
var headerField = regexp.MustCompile(`^([!-9;-~]+)[ \t]*:`)

// repairHeader rewrites a header that go-message refuses: "Name  :" becomes
// "Name:", and a line that starts no field is folded into the line above.
// ok is false when there was nothing to repair.
func repairHeader(raw []byte) (fixed []byte, ok bool) {
	var out bytes.Buffer
	rest := raw
	for len(rest) > 0 {
		line, after, found := bytes.Cut(rest, []byte("\n"))
		trimmed := bytes.TrimRight(line, "\r")
		switch {
		case len(trimmed) == 0: // the end of the header
			out.Write(rest)
			return out.Bytes(), true
		case trimmed[0] == ' ' || trimmed[0] == '\t':
			out.Write(line)
		case headerField.Match(trimmed):
			m := headerField.FindSubmatchIndex(trimmed)
			out.Write(trimmed[:m[3]])
			out.Write(line[m[1]-1:])
		case out.Len() == 0:
			return nil, false // not even a first field
		default:
			out.WriteByte(' ')
			out.Write(line)
		}
		if found {
			out.WriteByte('\n')
		}
		rest = after
	}
	return out.Bytes(), true
}

// headerDecoder decodes header values as real mail writes them: RFC 2047
// words, also broken ones (8-bit bytes inside), and raw 8-bit text in the
// charset of the body (else Windows-1252).
type headerDecoder struct {
	fallback string // the body's charset, for raw 8-bit headers
}

// encodedWord matches one RFC 2047 encoded word, leniently.
var encodedWord = regexp.MustCompile(`=\?([^?\s]+)\?([QqBb])\?([^?]*)\?=`)

// decode returns the text of a header value, valid UTF-8, spaces folded.
func (d headerDecoder) decode(v string) string {
	if strings.Contains(v, "=?") {
		if dec, err := wordDecoder.DecodeHeader(v); err == nil {
			v = dec
		}
		// What is left encoded is what the strict decoder left as is.
		v = encodedWord.ReplaceAllStringFunc(v, decodeWordLeniently)
	}
	if !utf8.ValidString(v) {
		v = d.charsetText([]byte(v))
	}
	return strings.ToValidUTF8(strings.Join(strings.Fields(v), " "), "\uFFFD")
}

// charsetText decodes raw 8-bit header bytes in the fallback charset, else
// Windows-1252 (which reads Latin-1 too).
func (d headerDecoder) charsetText(b []byte) string {
	for _, cs := range []string{d.fallback, "windows-1252"} {
		if cs == "" || strings.EqualFold(cs, "utf-8") || strings.EqualFold(cs, "us-ascii") {
			continue
		}
		if r, err := message.CharsetReader(cs, bytes.NewReader(b)); err == nil {
			if out, err := io.ReadAll(r); err == nil {
				return string(out)
			}
		}
	}
	return string(bytes.ToValidUTF8(b, []byte("\uFFFD")))
}

// decodeWordLeniently decodes one encoded word that the strict decoder
// refused, keeping 8-bit bytes found inside it.
func decodeWordLeniently(word string) string {
	m := encodedWord.FindStringSubmatch(word)
	var b []byte
	if strings.EqualFold(m[2], "b") {
		dec, err := base64.StdEncoding.DecodeString(strings.TrimRight(m[3], "="))
		if err != nil {
			dec, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(m[3], "="))
		}
		if err != nil {
			return word
		}
		b = dec
	} else {
		text := m[3]
		for i := 0; i < len(text); i++ {
			switch c := text[i]; {
			case c == '_':
				b = append(b, ' ')
			case c == '=' && i+2 < len(text):
				if n, err := strconv.ParseUint(text[i+1:i+3], 16, 8); err == nil {
					b = append(b, byte(n))
					i += 2
					continue
				}
				b = append(b, c)
			default:
				b = append(b, c)
			}
		}
	}
	if r, err := message.CharsetReader(m[1], bytes.NewReader(b)); err == nil {
		if out, err := io.ReadAll(r); err == nil {
			return string(out)
		}
	}
	return string(b)
}

// parseFrom reads the name and address of a From header, as well as a
// broken header allows.
func (d headerDecoder) parseFrom(v string) (name, addr string) {
	p := &mail.AddressParser{WordDecoder: wordDecoder}
	if a, err := p.Parse(v); err == nil {
		return d.decode(a.Name), mailaddr.Key(a.Address)
	}
	if list, err := p.ParseList(v); err == nil && len(list) > 0 {
		return d.decode(list[0].Name), mailaddr.Key(list[0].Address)
	}
	// Last resort: the text between < and >, or the whole value.
	v = d.decode(v)
	if i := strings.LastIndexByte(v, '<'); i >= 0 {
		if j := strings.IndexByte(v[i:], '>'); j > 0 {
			return strings.Trim(strings.TrimSpace(v[:i]), `"`), strings.ToLower(strings.TrimSpace(v[i+1 : i+j]))
		}
	}
	if strings.Contains(v, "@") {
		return "", strings.ToLower(strings.TrimSpace(v))
	}
	return v, ""
}

// fromBOM returns b decoded to UTF-8 by its byte-order mark, without the
// mark; b as it is when it has none.
func fromBOM(b []byte) []byte {
	var dec *encoding.Decoder
	switch {
	case bytes.HasPrefix(b, []byte{0xff, 0xfe, 0, 0}):
		dec = utf32.UTF32(utf32.LittleEndian, utf32.ExpectBOM).NewDecoder()
	case bytes.HasPrefix(b, []byte{0, 0, 0xfe, 0xff}):
		dec = utf32.UTF32(utf32.BigEndian, utf32.ExpectBOM).NewDecoder()
	case bytes.HasPrefix(b, []byte{0xff, 0xfe}):
		dec = utf16.UTF16(utf16.LittleEndian, utf16.ExpectBOM).NewDecoder()
	case bytes.HasPrefix(b, []byte{0xfe, 0xff}):
		dec = utf16.UTF16(utf16.BigEndian, utf16.ExpectBOM).NewDecoder()
	case bytes.HasPrefix(b, []byte{0xef, 0xbb, 0xbf}):
		return b[3:]
	default:
		return b
	}
	out, err := dec.Bytes(b)
	if err != nil {
		return b
	}
	return out
}

// maxDepth bounds how deep walker goes into nested multiparts.
const maxDepth = 20

// walker reads a message's parts in one pass: the first text/plain and
// text/html parts that are not attachments, decoded to UTF-8, and the
// parts of a report (reportPart). Parts that fail to decode are skipped.
type walker struct {
	plain, html string
	reports     []reportPart
	attachments []questions.Attachment
	// onFile, when set, is given each attachment's bytes (ReadAttachments);
	// fileErr is the first error it returned.
	onFile  func(questions.Attachment, io.Reader) error
	fileErr error
}

// maxAttachments bounds the attachments listed of one message, and
// maxAttachmentName the characters of a name kept.
const (
	maxAttachments    = 50
	maxAttachmentName = 200
)

// walk reads ent and, in order, the parts inside it.
func (w *walker) walk(ent *message.Entity, depth int) {
	if depth > maxDepth {
		return
	}
	if mr := ent.MultipartReader(); mr != nil {
		for {
			part, err := mr.NextPart()
			if err != nil {
				return // io.EOF, or broken MIME: keep what was found
			}
			w.walk(part, depth+1)
		}
	}
	t, _, err := ent.Header.ContentType()
	if err != nil {
		t = "text/plain" // RFC 2045: the default
	}
	t = strings.ToLower(t)
	if reportMediaTypes[t] && len(w.reports) < maxReportParts {
		w.reports = append(w.reports, readReportPart(t, ent.Body))
		return
	}
	if name, ok := attachmentName(ent.Header, t); ok {
		if len(w.attachments) < maxAttachments {
			a := questions.Attachment{Name: name, Type: t}
			if w.onFile != nil && w.fileErr == nil {
				cr := &countingReader{r: ent.Body}
				w.fileErr = w.onFile(a, cr)
				a.Size = cr.n
			} else {
				a.Size, _ = io.Copy(io.Discard, ent.Body) // the decoded size
			}
			w.attachments = append(w.attachments, a)
		}
		return
	}
	switch t {
	case "text/plain", "text", "":
		if w.plain == "" {
			w.plain = readText(ent.Body)
			if _, p, err := ent.Header.ContentType(); err == nil && strings.EqualFold(p["format"], "flowed") {
				w.plain = unflow(w.plain, strings.EqualFold(p["delsp"], "yes"))
			}
		}
	case "text/html":
		if w.html == "" && w.plain == "" { // the plain text wins: no need to read this
			w.html = readText(ent.Body)
		}
	}
}

// attachmentName says whether a part is a file the sender attached, and
// its name: a part marked attachment, or any part with a file name that
// is not text (an image pasted inline). The name is cut short and kept
// free of control characters; "" when the part gives none.
func attachmentName(h message.Header, mediaType string) (string, bool) {
	disp, params, err := h.ContentDisposition()
	name := params["filename"]
	if name == "" {
		if _, ctParams, err := h.ContentType(); err == nil {
			name = ctParams["name"]
		}
	}
	switch {
	case err == nil && disp == "attachment":
	case name != "" && !strings.HasPrefix(mediaType, "text/") && mediaType != "text":
	default:
		return "", false
	}
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, name)
	if r := []rune(name); len(r) > maxAttachmentName {
		name = string(r[:maxAttachmentName])
	}
	return name, true
}

// unflow undoes format=flowed (RFC 3676): a line that ends in a space
// goes on in the next line of the same quote depth, so each paragraph
// becomes one line, as its writer typed it; space-stuffing is undone.
// With delsp, the space that marked the soft break is not text.
func unflow(text string, delsp bool) string {
	var out []string
	open := false // the last line of out goes on
	openDepth := 0
	for _, l := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		depth := len(l) - len(strings.TrimLeft(l, ">"))
		body := strings.TrimPrefix(l[depth:], " ") // space-stuffed, or after the quote marks
		soft := strings.HasSuffix(body, " ") && body != "-- "
		if soft && delsp {
			body = body[:len(body)-1]
		}
		if open && depth == openDepth {
			out[len(out)-1] += body
		} else {
			prefix := ""
			if depth > 0 {
				prefix = strings.Repeat(">", depth) + " "
			}
			out = append(out, prefix+body)
		}
		open, openDepth = soft, depth
	}
	return strings.Join(out, "\n")
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// readText reads a decoded body as UTF-8 text, replacing invalid bytes. A
// body that starts with a byte-order mark is read in the encoding it
// marks (UTF-16 or UTF-32, either byte order, or UTF-8), whatever its
// header said: some mail programs send UTF-16 labelled as UTF-8 or not
// at all.
func readText(r io.Reader) string {
	b, _ := io.ReadAll(io.LimitReader(r, maxTextPart)) // a broken encoding yields what it decoded
	b = fromBOM(b)
	if !utf8.Valid(b) {
		b = bytes.ToValidUTF8(b, []byte("\uFFFD"))
	}
	return string(b)
}
