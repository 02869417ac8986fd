package ingest

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
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
