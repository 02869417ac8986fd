// Package demo is what `mailbag demo` shows: the readers' questions it
// delivers to an in-memory IMAP server, a past answer, the answers its
// author writes, and the page of the mail it sent. cmd/mailbag runs the
// demo with the commands' own functions (ingest, answer, publish, send,
// serve) on a temporary home.
package demo

import (
	"embed"
	"fmt"
	"html"
	"io"
	"io/fs"
	"net/http"
	"strings"

	"mailbag/internal/memserver"
	"mailbag/publish/delivery"
)

//go:embed questions/*.eml seed.md
var files embed.FS

// answers are what the demo's author writes into the drafts, by question.
var answers = []string{
	"Yes, and it is kinder than it feels. Ask in private, and ask about the process, not the person: \"I noticed a few changes went in without review; is that deliberate, or should we set up branch protection?\"\n\nSenior people usually welcome a question asked in good faith. If they do not, that tells you something about the team, and your manager should hear about it.",
	"It is a two-way door more often than people say. Take the role for a fixed time, say a year, and agree with your manager what success looks like and what happens if you want to go back.\n\nYou will write less code. Keep a small, real piece of it, and spend the rest making your team's code better.",
}

// Questions returns the readers' mail the demo delivers, each message
// with CRLF line ends, as a server keeps it.
func Questions() [][]byte {
	names, _ := fs.Glob(files, "questions/*.eml")
	out := make([][]byte, 0, len(names))
	for _, name := range names {
		raw, _ := files.ReadFile(name)
		out = append(out, []byte(strings.ReplaceAll(string(raw), "\n", "\r\n")))
	}
	return out
}

// Seed returns a post of the newsletter from before the demo: a past answer.
func Seed() []byte {
	b, _ := files.ReadFile("seed.md")
	return b
}

// Answer returns what the demo's author writes as the answer to the i-th
// question answered.
func Answer(i int) string { return answers[i%len(answers)] }

// MailPage shows the messages the demo sent, as a person reads them.
func MailPage(w http.ResponseWriter, sink *memserver.SMTPSink) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	var b strings.Builder
	b.WriteString("<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>Mail sent by the demo</title><link rel=stylesheet href=/style.css></head><body><main><h1>Mail sent by the demo</h1>")
	for i, m := range sink.Messages() {
		var text strings.Builder
		if err := delivery.PrintReadable(&text, m.Data); err != nil {
			text.WriteString(string(m.Data)) // not one of ours: as it came
		}
		fmt.Fprintf(&b, "<h2>%d. To %s</h2><pre style=\"white-space:pre-wrap\">%s</pre>", i+1, html.EscapeString(strings.Join(m.To, ", ")), html.EscapeString(text.String()))
	}
	b.WriteString("</main></body></html>")
	_, _ = io.WriteString(w, b.String())
}
