package benchcorpus

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Messages returns n readers' mails of about size bytes each, as a mail
// server stores them: a header with the trace fields real mail carries,
// then a question in plain text made of real prose, a signature and the
// quoted newsletter issue it replies to. The same n and size give the same
// messages.
func Messages(tb testing.TB, n, size int) [][]byte {
	tb.Helper()
	words := corpusWords(tb, func(file []byte) string { return string(file) })
	rng := rand.New(rand.NewPCG(3, 4))
	run := func(min, max int) string {
		k := min + rng.IntN(max-min)
		at := rng.IntN(len(words) - k)
		return strings.Join(words[at:at+k], " ")
	}
	start := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	out := make([][]byte, n)
	for i := range n {
		date := start.Add(time.Duration(i) * 97 * time.Second).Format(time.RFC1123Z)
		var b strings.Builder
		fmt.Fprintf(&b, "Return-Path: <reader%d@example.net>\r\n", i)
		fmt.Fprintf(&b, "Received: from mx.example.net (mx.example.net [192.0.2.%d])\r\n\tby mail.example.org with ESMTPS id %08x\r\n\tfor <ask@example.org>; %s\r\n", i%250+1, rng.Uint32(), date)
		fmt.Fprintf(&b, "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.net; s=s1;\r\n\th=from:to:subject:date:message-id; bh=%016x=;\r\n\tb=%032x%032x=\r\n", rng.Uint64(), rng.Uint64(), rng.Uint64())
		fmt.Fprintf(&b, "From: Reader %d <reader%d@example.net>\r\nTo: Ask the Newsletter <ask@example.org>\r\n", i, i)
		fmt.Fprintf(&b, "Subject: Re: %s\r\nDate: %s\r\nMessage-ID: <bench.%d.%08x@example.net>\r\n", run(3, 8), date, i, rng.Uint32())
		b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
		b.WriteString("Hello,\r\n\r\n")
		// The question: two thirds of the body; the quoted issue the rest.
		for b.Len() < size*2/3 {
			b.WriteString(wrap(run(20, 60)))
			b.WriteString("\r\n\r\n")
		}
		b.WriteString("Thanks!\r\nReader\r\n\r\n-- \r\nSent from my phone\r\n\r\n")
		fmt.Fprintf(&b, "On %s, Ask the Newsletter <ask@example.org> wrote:\r\n", date)
		for b.Len() < size {
			b.WriteString("> " + strings.ReplaceAll(wrap(run(20, 60)), "\r\n", "\r\n> ") + "\r\n>\r\n")
		}
		out[i] = []byte(b.String())
	}
	return out
}

// wrap breaks text into lines of at most 72 characters, as mail clients do.
func wrap(text string) string {
	var b strings.Builder
	line := 0
	for i, w := range strings.Fields(text) {
		if i > 0 {
			if line+1+len(w) > 72 {
				b.WriteString("\r\n")
				line = 0
			} else {
				b.WriteByte(' ')
				line++
			}
		}
		b.WriteString(w)
		line += len(w)
	}
	return b.String()
}

// Prose returns size bytes of real prose from the corpus, in lines of at
// most 72 characters and paragraphs, as a reader writes a long mail.
func Prose(tb testing.TB, size int) string {
	tb.Helper()
	words := corpusWords(tb, func(file []byte) string { return string(file) })
	var b strings.Builder
	for i := 0; b.Len() < size; i += 50 {
		b.WriteString(wrap(strings.Join(words[i%(len(words)-50):i%(len(words)-50)+50], " ")))
		b.WriteString("\n\n")
	}
	return b.String()[:size]
}

// MailFiles returns the paths of the real-world messages in testdata:
// every file of the mail corpora, and the whole messages of the reply
// corpus.
func MailFiles(t testing.TB) []string {
	t.Helper()
	var files []string
	root := filepath.Join(testdata(t), "corpora", "mail")
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		switch {
		case strings.HasPrefix(rel, "reply-quoting/") && !strings.HasSuffix(rel, ".eml"):
			return nil // bodies, not messages: see ingest/mailmsg's clean_test.go
		case strings.HasSuffix(rel, "README.md"), strings.HasPrefix(filepath.Base(rel), "."), strings.HasPrefix(rel, "flanker-messages/attachments/"):
			return nil
		}
		files = append(files, path)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}
