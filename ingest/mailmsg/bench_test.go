package mailmsg

import (
	"bytes"
	"mailbag/internal/benchcorpus"
	"maps"
	"slices"
	"strings"
	"testing"
)

// hostileTexts are 1 MB texts made to stall a cleaner: every line a reply
// header, every line "Sent from my phone", every line quoted with a reply
// header at the end, one line of a megabyte, Outlook header blocks, and
// plain prose from the corpus.
func hostileTexts(b *testing.B) map[string]string {
	const size = 1 << 20
	repeat := func(s string) string { return strings.Repeat(s, size/len(s)+1)[:size] }
	return map[string]string{
		"wrote-lines":  repeat("On Mon Jim wrote:\n"),
		"wrote-quoted": repeat("On Mon Jim wrote:\n> quoted\nreply\n"),
		"sent-from":    repeat("Sent from my phone\n"),
		"sent-blank":   repeat("Sent from my phone\n\n\n\n"),
		"from-inline":  repeat("From: Jim\nSent: Monday\n> quoted\nreply\n"),
		"gmail-split":  repeat("On Tue, 1 Dec 2026 at 10:00, Jim <jim@example.com>\nwrote:\n> quoted\nreply\n"),
		"colon-lines":  repeat("Am 1. Dezember 2026 schrieb Jim 2 <jim@example.com> skrev:\n"),
		"from-blocks":  repeat("From: Jim\nSent: Monday\n"),
		"one-line":     repeat("On Mon Jim said many things and "),
		"one-line-at":  repeat("1 <a@b>"),
		"underscores":  repeat("_"),
		"quoted":       repeat("> a quoted line of text\n"),
		"prose":        benchcorpus.Prose(b, size),
		"mail":         string(bytes.Join(benchcorpus.Messages(b, 400, 3<<10), []byte("\n")))[:size],
	}
}

// BenchmarkCleanText cleans each hostile megabyte: the time per op is what
// one such mail costs ingest.
//
//	go test ./ingest/mailmsg -run '^$' -bench CleanText
func BenchmarkCleanText(b *testing.B) {
	texts := hostileTexts(b)
	names := slices.Sorted(maps.Keys(texts))
	for _, name := range names {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(texts[name])))
			for b.Loop() {
				CleanText(texts[name])
			}
		})
	}
}
