package ingest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"mailbag/internal/benchcorpus"
	"mailbag/internal/peers"
	"mailbag/questions"
)

// benchMessages is how many messages each ingest benchmark reads.
const benchMessages = 10_000

// BenchmarkIngest delivers 10,000 readers' mails of 3 KB and of 16 KB to a
// real Dovecot, then reads them all over TLS two ways: "raw" is go-imap
// alone fetching every message whole and discarding it; "mailbag" is a
// whole ingest pass into a fresh queue (raw messages synced to disk,
// parsed, cleaned, classified, stored, checkpointed). Both report
// messages/s.
//
//	go test ./ingest -run '^$' -bench Ingest -benchtime 3x
func BenchmarkIngest(b *testing.B) {
	for _, size := range []int{3 << 10, 16 << 10} {
		b.Run(fmt.Sprintf("%dKB", size>>10), func(b *testing.B) {
			d := peers.StartDovecot(b)
			d.Deliver(b, benchcorpus.Messages(b, benchMessages, size)...)
			server := Server{Address: d.TLSAddr, Security: "tls", Username: d.Username, Password: d.Password, CAFile: d.CAFile, Mailbox: "INBOX"}
			rawFetch(b, server) // Dovecot indexes the new mail on the first look
			b.Run("raw", func(b *testing.B) {
				for b.Loop() {
					if n := rawFetch(b, server); n != benchMessages {
						b.Fatalf("fetched %d messages", n)
					}
				}
				b.ReportMetric(float64(benchMessages*b.N)/b.Elapsed().Seconds(), "msgs/s")
			})
			b.Run("mailbag", func(b *testing.B) {
				for b.Loop() {
					b.StopTimer()
					q := newQueue(b)
					in := New(q, Options{Server: server, MailDir: filepath.Join(b.TempDir(), "mail"), OwnAddress: "ask@example.org"})
					b.StartTimer()
					sum, err := in.Run(context.Background())
					if err != nil || sum.New != benchMessages {
						b.Fatalf("%+v, %v", sum, err)
					}
				}
				b.ReportMetric(float64(benchMessages*b.N)/b.Elapsed().Seconds(), "msgs/s")
			})
		})
	}
}

// rawFetch fetches every message of the mailbox whole with go-imap alone
// and returns how many there were.
func rawFetch(b *testing.B, server Server) int {
	b.Helper()
	c, err := New(nil, Options{Server: server}).dial(nil)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		b.Fatal(err)
	}
	section := &imap.FetchItemBodySection{Peek: true}
	cmd := c.Fetch(imap.UIDSet{imap.UIDRange{Start: 1, Stop: 0}}, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}})
	n := 0
	for {
		msg := cmd.Next()
		if msg == nil {
			break
		}
		for {
			item := msg.Next()
			if item == nil {
				break
			}
			if body, ok := item.(imapclient.FetchItemDataBodySection); ok {
				io.Copy(io.Discard, body.Literal)
			}
		}
		n++
	}
	if err := cmd.Close(); err != nil {
		b.Fatal(err)
	}
	return n
}

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
//	go test ./ingest -run '^$' -bench CleanText
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

// BenchmarkPreviews reads the new questions as the inbox does when 100 of
// them hold a megabyte of text each.
func BenchmarkPreviews(b *testing.B) {
	ctx := context.Background()
	q := newQueue(b)
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	var batch []questions.Incoming
	for i := range 100 {
		batch = append(batch, questions.Incoming{Question: questions.Question{Status: questions.StatusNew, MessageKey: fmt.Sprint(i), Subject: "Big",
			Text: strings.Repeat("a", 1<<20), Received: now}, Mailbox: "INBOX", UIDValidity: 1, UID: uint32(i + 1)})
	}
	if _, err := q.Add(ctx, batch, "INBOX", 1, 100, false); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		qs, err := q.Previews(ctx, questions.StatusNew, 16<<10)
		if err != nil || len(qs) != 100 {
			b.Fatal(len(qs), err)
		}
	}
}
