package archive

import (
	"bytes"
	"errors"
	"os"
	"slices"
	"testing"
	"time"
)

// FuzzParse: any bytes either parse or give a *FormatError; a post that
// parses writes out as a file that parses back to the same fields, and
// writing that out again changes nothing.
func FuzzParse(f *testing.F) {
	seed, err := os.ReadFile(seedPath)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	for _, s := range []string{
		"---\ntitle: x\ndate: 2020-01-01\ntags: [a, b]\nquestion: [1, 2]\n---\nbody\n",
		"---\r\ntitle: 'a: b'\r\ndate: 2019-08-01T10:00:00+02:00\r\n---\r\nbody\r\n",
		"---\ntitle: x\n",
		"---\n- a\n---\n",
		"---\ntitle: &a x\nslug: *a\n---\n",
		"\xef\xbb\xbf---\ntitle: ~\ndate: ''\n---\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse(data, time.UTC)
		if err != nil {
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("Parse error %T is not a *FormatError: %v", err, err)
			}
			return
		}
		out, err := p.Marshal()
		if err != nil {
			return // YAML the encoder will not write back (rare); reported as an error
		}
		q, err := Parse(out, time.UTC)
		if err != nil {
			t.Fatalf("Parse(Marshal(p)) = %v\ninput: %q\nwritten: %q", err, data, out)
		}
		if q.Title != p.Title || !q.Date.Equal(p.Date) || q.Slug != p.Slug ||
			!slices.Equal(q.Tags, p.Tags) || !slices.Equal(q.Questions, p.Questions) || !bytes.Equal(q.Body, p.Body) {
			t.Fatalf("round trip changed the post:\nbefore %+v\nafter  %+v\nwritten: %q", p, q, out)
		}
		again, err := q.Marshal()
		if err != nil || !bytes.Equal(again, out) {
			t.Fatalf("second Marshal differs: %v\nfirst:  %q\nsecond: %q", err, out, again)
		}
	})
}

// FuzzReadHeader: a post file read for its header alone (the start of
// it, where the front matter ends there) gives what the whole file gives
// but the body, or the same error, wherever the front matter ends.
func FuzzReadHeader(f *testing.F) {
	f.Add([]byte("---\ntitle: x\ndate: 2020-01-01\ntags: [a]\n---\n"), uint16(5000))
	f.Add([]byte("---\r\ntitle: 'a: b'\r\n---\r\n"), uint16(0))
	f.Add([]byte("---\ntitle: x\nfoo: |\n  ---\n---\n"), uint16(headBytes))
	f.Add([]byte("---\ntitle: x\n"), uint16(headBytes))
	f.Fuzz(func(t *testing.T, front []byte, pad uint16) {
		// The front matter, then pad bytes of lines, so that the start
		// read ends anywhere in the file.
		data := append(slices.Clip(front), bytes.Repeat([]byte("words ---\n"), int(pad)/10)...)
		posts := &Posts{Dir: t.TempDir()}
		path := posts.Dir + "/2020-01-01-post.md"
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		want, werr := posts.ReadFile(path)
		got, gerr := posts.readHeader(path)
		if (werr == nil) != (gerr == nil) || werr != nil && werr.Error() != gerr.Error() {
			t.Fatalf("readHeader: %v; ReadFile: %v\nfile: %q", gerr, werr, data)
		}
		if werr != nil {
			return
		}
		if got.Body != nil || got.Title != want.Title || !got.Date.Equal(want.Date) || got.Slug != want.Slug ||
			!slices.Equal(got.Tags, want.Tags) || !slices.Equal(got.Questions, want.Questions) || !slices.Equal(got.Aliases, want.Aliases) {
			t.Fatalf("readHeader gives %+v, ReadFile %+v\nfile: %q", got, want, data)
		}
	})
}
