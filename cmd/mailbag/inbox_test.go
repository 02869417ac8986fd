package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"mailbag/internal/peers"
)

// TestInboxInTmux drives `mailbag inbox` in tmux at 80x24, as an author
// over SSH would, from new questions (through Dovecot) to a published post:
// the list with a follow-up counted, the question beside past answers, a
// rejection with a reason, the list following what ingest stores, an
// answer written in the editor and back, a search and a past answer read,
// quitting; then publishing the draft. And it fits a narrow terminal.
func TestInboxInTmux(t *testing.T) {
	bin := binary(t)
	d := peers.StartDovecot(t)
	h := dovecotHome(t, d)
	run := runner(t, bin, h, d.Password)
	run("import", "../../testdata/seed")
	d.Deliver(t,
		[]byte("From: Ola <ola@example.net>\r\nSubject: My manager keeps stepping on my toes\r\nMessage-ID: <in1@example.net>\r\n\r\nA product manager tells me how to write code. What do I do?\r\n"),
		[]byte("From: Spam <spam@example.net>\r\nSubject: Cheap watches\r\nMessage-ID: <in2@example.net>\r\n\r\nBuy our watches now.\r\n"),
		[]byte("From: Ola <ola@example.net>\r\nSubject: Re: My manager keeps stepping on my toes\r\nMessage-ID: <in3@example.net>\r\nIn-Reply-To: <in1@example.net>\r\n\r\nHe is also my friend, which makes it harder.\r\n"),
	)
	if out := run("ingest"); !strings.Contains(out, "ingested: 2 new") {
		t.Fatalf("ingest: %s", out)
	}
	editor := filepath.Join(t.TempDir(), "editor.sh")
	if err := os.WriteFile(editor, []byte("#!/bin/sh\nsed -i 's/^\\[Write your answer here.\\]$/Talk to them over coffee: a toe-friendly chat./' \"$1\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	env := []string{"MAILBAG_TEST_IMAP_PASSWORD=" + d.Password, "EDITOR=" + editor}
	tm := peers.StartTmux(t, 80, 24, env, bin, "--home", h.Dir, "inbox")

	screen := tm.WaitFor(t, "mailbag inbox: 2 new")
	for _, want := range []string{"My manager keeps stepping on my toes", "+1", "Cheap watches", "He is also my friend", "Past answers like it", "A product manager stepped on my toe", "a answer"} {
		if !strings.Contains(tm.WaitFor(t, want), want) {
			t.Fatalf("the inbox does not show %q:\n%s", want, screen)
		}
	}
	screen = tm.Screen(t)
	for _, line := range strings.Split(screen, "\n") {
		if len([]rune(line)) > 80 {
			t.Errorf("a line wider than the terminal: %q", line)
		}
	}
	// The screen as README shows it.
	if shots := filepath.Join(os.TempDir(), "mailbag-screenshots"); os.MkdirAll(shots, 0o755) == nil {
		os.WriteFile(filepath.Join(shots, "inbox.txt"), []byte(screen), 0o644)
	}

	// Reject the spam with a reason.
	tm.Keys(t, "Down")
	tm.WaitFor(t, "#2 Cheap watches")
	tm.Keys(t, "r")
	tm.WaitFor(t, "Reject:")
	tm.Keys(t, "spam, not a question", "Enter")
	tm.WaitFor(t, "Rejected question 2")
	tm.WaitFor(t, "mailbag inbox: 1 new")
	if out := run("questions", "--status", "rejected"); !strings.Contains(out, "Cheap watches  [spam, not a question]") {
		t.Errorf("the rejection is not in the queue:\n%s", out)
	}

	// Mail comes while the inbox is open: the list follows.
	d.Deliver(t, []byte("From: Kari <kari@example.net>\r\nSubject: Standing desks\r\nMessage-ID: <in4@example.net>\r\n\r\nAre standing desks worth it?\r\n"))
	run("ingest")
	tm.WaitFor(t, "mailbag inbox: 2 new")

	// Answer the first: the editor runs, the inbox comes back.
	tm.Keys(t, "Up", "Up")
	tm.WaitFor(t, "#1 My manager keeps stepping on my toes")
	tm.Keys(t, "a")
	tm.WaitFor(t, "Draft saved")
	draft, err := os.ReadFile(filepath.Join(h.Drafts(), "my-manager-keeps-stepping-on-my-toes.md"))
	if err != nil || !strings.Contains(string(draft), "toe-friendly chat") || !strings.Contains(string(draft), "> He is also my friend") {
		t.Fatalf("the draft (%v):\n%s", err, draft)
	}

	// Search the archive, read a past answer, come back.
	tm.Keys(t, "/")
	tm.WaitFor(t, "Search:")
	tm.Keys(t, "toe", "Enter")
	tm.WaitFor(t, "Past answers for “toe”")
	tm.Keys(t, "Enter")
	tm.WaitFor(t, "A product manager stepped on my toe · 20 June 2018")
	tm.Keys(t, "Escape") // one at a time: two at once read as Alt+Escape
	tm.WaitFor(t, "Past answers for “toe”")
	tm.Keys(t, "Escape")
	tm.WaitFor(t, "mailbag inbox: 2 new")
	tm.Keys(t, "q")
	tm.WaitExit(t)

	if out := run("publish", "my-manager-keeps-stepping-on-my-toes"); !strings.Contains(out, "Published posts/") {
		t.Fatalf("publish: %s", out)
	}
	if out := run("questions"); !regexp.MustCompile(`(?m)^ +\d+ .*Standing desks`).MatchString(out) || strings.Contains(out, "toes") {
		t.Errorf("after publishing, the queue:\n%s", out)
	}

	// A narrow terminal: everything fits, the keys wrap.
	narrow := peers.StartTmux(t, 44, 20, env, bin, "--home", h.Dir, "inbox")
	screen = narrow.WaitFor(t, "q quit")
	for _, line := range strings.Split(screen, "\n") {
		if len([]rune(line)) > 44 {
			t.Errorf("a line wider than the narrow terminal: %q", line)
		}
	}
	narrow.Keys(t, "q")
}

// TestDemoInboxOneKeyAway: the demo, at a terminal, says the inbox is a
// keypress away, and i opens it on the demo's questions, the follow-up
// among them; q comes back to the demo, Ctrl-C stops it.
func TestDemoInboxOneKeyAway(t *testing.T) {
	bin := binary(t)
	tm := peers.StartTmux(t, 100, 30, nil, bin, "demo", "--addr", "127.0.0.1:0")
	tm.WaitFor(t, "6. Press i for mailbag inbox")
	tm.Keys(t, "i")
	screen := tm.WaitFor(t, "mailbag inbox: 1 new")
	for _, want := range []string{"Estimates", "+1", "Follow-up 1", "we estimate in days", "Past answers like it"} {
		if !strings.Contains(tm.WaitFor(t, want), want) {
			t.Errorf("the demo's inbox does not show %q:\n%s", want, screen)
		}
	}
	tm.Keys(t, "q")
	tm.WaitFor(t, "Back from the inbox")
	tm.Keys(t, "C-c")
	tm.WaitFor(t, "Stopped. The demo home")
	tm.WaitExit(t)
}

// TestInboxWideTerminal: at 160x48, mail its writer's program wrapped at
// 72 characters reads as paragraphs to the width of the pane (no ragged
// lines), the preview skips the greeting, and a long question scrolls.
func TestInboxWideTerminal(t *testing.T) {
	bin := binary(t)
	d := peers.StartDovecot(t)
	h := dovecotHome(t, d)
	run := runner(t, bin, h, d.Password)
	var long strings.Builder
	for i := range 40 {
		fmt.Fprintf(&long, "Paragraph %d of the history of our on-call rotation, which is\r\nlong, as the mail program wrapped it.\r\n\r\n", i)
	}
	d.Deliver(t,
		[]byte("From: Olga <olga@example.net>\r\nSubject: How much toil is too much?\r\nMessage-ID: <w1@example.net>\r\n\r\nHi Jim,\r\n\r\nWe run a small team of five engineers and the on-call rotation is\r\ngetting heavy: every second week someone is paged at night, and\r\npeople are tired.\r\n\r\nThanks,\r\nOlga\r\n"),
		[]byte("From: Bo <bo@example.net>\r\nSubject: A long history\r\nMessage-ID: <w2@example.net>\r\n\r\n"+long.String()+"The end of it.\r\n"),
	)
	if out := run("ingest"); !strings.Contains(out, "ingested: 2 new") {
		t.Fatalf("ingest: %s", out)
	}
	tm := peers.StartTmux(t, 160, 48, []string{"MAILBAG_TEST_IMAP_PASSWORD=" + d.Password}, bin, "--home", h.Dir, "inbox")
	tm.WaitFor(t, "mailbag inbox: 2 new")
	screen := tm.WaitFor(t, "the on-call rotation is getting heavy")
	if !strings.Contains(screen, "How much toil is too much? — We run a small team") {
		t.Errorf("the preview is not past the greeting:\n%s", screen)
	}
	tm.Keys(t, "Down")
	tm.WaitFor(t, "Paragraph 0 of the history of our on-call rotation, which is long, as the mail") // one line: reflowed
	tm.Keys(t, "PageDown", "PageDown")
	screen = tm.WaitFor(t, "Paragraph 20 of")
	if !strings.Contains(screen, "#2 A long history") || strings.Contains(screen, "Paragraph 1 of") {
		t.Errorf("scrolled: the header should stay and the first paragraph go:\n%s", screen)
	}
	tm.Keys(t, "q")
	tm.WaitExit(t)
}
