package mailmsg

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"mailbag/internal/benchcorpus"
	goldenfile "mailbag/internal/golden"
	"mailbag/questions"
)

// corpusMessages are the real-world messages in testdata
// (benchcorpus.MailFiles).
func corpusMessages(t testing.TB) []string { return benchcorpus.MailFiles(t) }

// TestCorpusMessages reads every real message: each becomes a question with
// text, or an ignored entry with a reason; never a panic. The golden file
// lists what each became, for a person to read.
func TestCorpusMessages(t *testing.T) {
	o := Options{OwnAddress: "ask@example.org", MaxSize: 2 << 20}
	var out bytes.Buffer
	counts := map[string]int{}
	for _, path := range corpusMessages(t) {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		q := Question(raw, int64(len(raw)), o)
		_, rel, _ := strings.Cut(filepath.ToSlash(path), "/corpora/mail/")
		if q.MessageKey == "" {
			t.Errorf("%s: no message key", rel)
		}
		if !utf8.ValidString(q.Text) || !utf8.ValidString(q.Subject) || !utf8.ValidString(q.FromName) {
			t.Errorf("%s: invalid UTF-8 in the question", rel)
		}
		switch q.Status {
		case questions.StatusNew:
			if strings.TrimSpace(q.Text) == "" {
				t.Errorf("%s: a question without text", rel)
			}
		case questions.StatusIgnored:
			if q.Kind == "" || q.Reason == "" {
				t.Errorf("%s: ignored without a kind and reason: %+v", rel, q)
			}
		default:
			t.Errorf("%s: status %q", rel, q.Status)
		}
		label := string(q.Status)
		if q.Kind != "" {
			label = string(q.Kind)
		}
		counts[label]++
		text := q.Text
		if q.Status == questions.StatusIgnored {
			text = q.Reason
		}
		fmt.Fprintf(&out, "%s\n  %s | %s | %s\n", rel, label, firstRunes(q.Subject, 60), firstRunes(strings.Join(strings.Fields(text), " "), 90))
	}
	fmt.Fprintf(&out, "\n%v\n", counts)
	golden(t, "corpus.txt", out.Bytes())
}

func firstRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// golden compares got with testdata/name (see package golden).
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	goldenfile.Check(t, filepath.Join("testdata", name), got)
}
