package visible

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestString(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"plain text\twith a tab\nand a line", "plain text\twith a tab\nand a line"},
		{"title\x1b]0;pwned\x07", "title␛]0;pwned␇"},
		{"\x1b]52;c;aGFja2Vk\x1b\\", "␛]52;c;aGFja2Vk␛\\"},
		{"clear\x1b[2J\x1b[H", "clear␛[2J␛[H"},
		{"a\r\nb\rc", "a\nb␍c"},
		{"del\x7f", "del␡"},
		{"c1 \u009b31m csi", "c1 <U+009B>31m csi"},
		{"abc\u202edcba", "abc<U+202E>dcba"},
		{"\u2066isolate\u2069", "<U+2066>isolate<U+2069>"},
		{"école, 東京, עברית\u200f", "école, 東京, עברית\u200f"},
		{"bad \xff byte", "bad \ufffd byte"},
	} {
		if got := String(c.in); got != c.want {
			t.Errorf("String(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestStrip(t *testing.T) {
	if got := Strip("Help\x1b]0;t\x07 me\u009b\u202e\r\nnow\tok \xff"); got != "Help]0;t me\nnow\tok \ufffd" {
		t.Errorf("Strip = %q", got)
	}
}

func TestLine(t *testing.T) {
	if got := Line(" a\nb\x1b[2K\r\n  c "); got != "a b␛[2K c" {
		t.Errorf("Line = %q", got)
	}
}

func TestJSON(t *testing.T) {
	in := map[string]string{"subject": "x\x1b[2J\u009b\u202e\x7fy", "name": "Zoë"}
	doc, err := json.MarshalIndent(in, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	out := JSON(doc)
	if strings.ContainsFunc(string(out), func(r rune) bool { return Acts(r) && r != '\n' }) {
		t.Errorf("JSON left a control: %q", out)
	}
	var back map[string]string
	if err := json.Unmarshal(out, &back); err != nil {
		t.Fatalf("JSON's output does not parse: %v\n%s", err, out)
	}
	if back["subject"] != in["subject"] || back["name"] != in["name"] {
		t.Errorf("JSON changed the data: %q", back)
	}
}

// FuzzString checks that no input leaves anything a terminal acts on but
// tab and newline, that the result is UTF-8, and that text without such
// characters is returned as it is.
func FuzzString(f *testing.F) {
	for _, s := range []string{"", "hello", "\x1b]52;c;aGk=\x07", "\u009b2J", "a\u202eb", "\r\n", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := String(s)
		if !utf8.ValidString(out) {
			t.Fatalf("String(%q) = %q, not UTF-8", s, out)
		}
		for _, r := range out {
			if Acts(r) && r != '\t' && r != '\n' {
				t.Fatalf("String(%q) = %q keeps %U", s, out, r)
			}
		}
		if utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool { return Acts(r) && r != '\t' && r != '\n' }) && out != s {
			t.Fatalf("String(%q) = %q changed harmless text", s, out)
		}
		doc, _ := json.Marshal(s)
		if strings.ContainsFunc(string(JSON(doc)), Acts) {
			t.Fatalf("JSON(%s) keeps a control", doc)
		}
	})
}

func TestWriterSplits(t *testing.T) {
	var out strings.Builder
	w := NewWriter(&out)
	in := "é\x1b[2Ja\r\nb 東京"
	for i := 0; i < len(in); i++ {
		if _, err := w.Write([]byte(in[i : i+1])); err != nil {
			t.Fatal(err)
		}
	}
	if want := "é␛[2Ja\nb 東京"; out.String() != want {
		t.Errorf("byte by byte: %q, want %q", out.String(), want)
	}
}
