// Package visible makes text that came from outside (a reader's mail, a
// web visitor's search, a file being imported) safe to print at a
// terminal: nothing in it can move the cursor, set a title, write the
// clipboard, hide text or reorder a line.
//
// Control characters (C0 but tab and newline, DEL, C1) become visible
// pictures or codes, bidirectional overrides and isolates become their
// code in angle brackets, and bytes that are not UTF-8 become U+FFFD. What
// is left prints as the characters it is.
package visible

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"
	"unicode/utf8"
)

// String returns s with every character a terminal would act on shown
// instead: ESC as ␛, a carriage return as ␍ (CR LF is a newline), C1
// controls and bidirectional overrides as "<U+202E>". Tab and newline
// are kept.
func String(s string) string {
	if isPlain(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\r' && strings.HasPrefix(s[i+1:], "\n"):
			// CR LF: the newline alone
		case r == utf8.RuneError && size == 1:
			b.WriteRune(utf8.RuneError)
		default:
			writeRune(&b, r)
		}
		i += size
	}
	return b.String()
}

// Line returns s on one line: what String returns, with every run of
// white space (newlines too) folded to one space and the ends trimmed.
func Line(s string) string {
	return strings.Join(strings.Fields(String(s)), " ")
}

// Strip returns s without the characters String would show instead: for
// text that goes on into a post or a mail, where a reader's escape
// sequence is never wanted. Tab and newline are kept, CR LF becomes a
// newline, bytes that are not UTF-8 become U+FFFD.
func Strip(s string) string {
	if isPlain(s) {
		return s
	}
	s = strings.ToValidUTF8(strings.ReplaceAll(s, "\r\n", "\n"), "\ufffd")
	return strings.Map(func(r rune) rune {
		if r != '\t' && r != '\n' && Acts(r) {
			return -1
		}
		return r
	}, s)
}

// isPlain reports whether s is printable ASCII, tabs and newlines: the
// common case, returned as it is.
func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x7f || c < 0x20 && c != '\t' && c != '\n' {
			return false
		}
	}
	return true
}

// writeRune writes r, or what shows it, to b.
func writeRune(b *strings.Builder, r rune) {
	switch {
	case r == '\t' || r == '\n':
		b.WriteRune(r)
	case r < 0x20:
		b.WriteRune(0x2400 + r) // Unicode's control pictures: ␀ … ␟
	case r == 0x7f:
		b.WriteRune('␡')
	case Acts(r):
		fmt.Fprintf(b, "<U+%04X>", r)
	default:
		b.WriteRune(r)
	}
}

// Acts reports whether a terminal acts on r beyond showing it: a C0 or
// C1 control, DEL, or a bidirectional embedding, override or isolate
// (the marks LRM, RLM and ALM only join neighbours and are kept).
func Acts(r rune) bool {
	switch {
	case r < 0x20, r >= 0x7f && r <= 0x9f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// JSON returns an encoded JSON document with every character a terminal
// acts on written as a \u escape: JSON that reads the same to a program
// and prints nothing but text. encoding/json escapes C0 controls itself;
// DEL, C1 controls and bidirectional overrides it writes raw, and only
// inside strings, where an escape means the same.
func JSON(doc []byte) []byte {
	if !bytes.ContainsFunc(doc, actsRaw) {
		return doc
	}
	var out bytes.Buffer
	out.Grow(len(doc) + 32)
	for len(doc) > 0 {
		r, size := utf8.DecodeRune(doc)
		if actsRaw(r) {
			fmt.Fprintf(&out, `\u%04x`, r)
		} else {
			out.Write(doc[:size])
		}
		doc = doc[size:]
	}
	return out.Bytes()
}

// actsRaw reports whether r acts on a terminal and encoding/json writes
// it unescaped: the white space between a document's tokens is left alone.
func actsRaw(r rune) bool { return r >= 0x7f && Acts(r) }

// JSONWriter writes each JSON document it is given (one Write a
// document, as encoding/json's Encoder and log/slog's JSONHandler call
// it) through JSON to w.
type JSONWriter struct{ W io.Writer }

func (j JSONWriter) Write(p []byte) (int, error) {
	if _, err := j.W.Write(JSON(p)); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Writer writes what it is given to W as String shows it: a terminal's
// output through which nothing printed can act on the terminal. A
// character split between two writes is shown whole. Its zero value is
// not usable; its writes may come from several goroutines.
type Writer struct {
	W     io.Writer
	mu    sync.Mutex
	carry []byte // the start of a character, or a CR, the last write ended with
}

// NewWriter returns a Writer to w.
func NewWriter(w io.Writer) *Writer { return &Writer{W: w} }

// Write writes p, shown, to W, and returns len(p) when W took it all.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	data := p
	if len(w.carry) > 0 {
		data = append(w.carry, p...)
		w.carry = nil
	}
	keep := unfinished(data)
	out := String(string(data[:len(data)-keep]))
	if keep > 0 {
		w.carry = append([]byte(nil), data[len(data)-keep:]...)
	}
	if _, err := io.WriteString(w.W, out); err != nil {
		return 0, err
	}
	return len(p), nil
}

// unfinished returns how many bytes at the end of p may be finished by
// the next write: a CR (a CR LF's first half) or the start of a UTF-8
// character.
func unfinished(p []byte) int {
	if len(p) == 0 {
		return 0
	}
	if p[len(p)-1] == '\r' {
		return 1
	}
	for n := 1; n <= 3 && n <= len(p); n++ {
		c := p[len(p)-n]
		if c < 0x80 || c >= 0xc0 { // ASCII or a character's first byte
			if c >= 0xc0 && !utf8.FullRune(p[len(p)-n:]) {
				return n
			}
			return 0
		}
	}
	return 0
}
