package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"mailbag/internal/peers"
)

// TestEndToEnd runs the whole pipeline against real peers only: a question
// delivered to Dovecot, `mailbag ingest` over TLS, `answer` with a scripted
// editor, `publish`, `send` to subscribers in Mailpit, the post found by a
// search in Chromium on `mailbag serve`, and the asker told in Mailpit.
func TestEndToEnd(t *testing.T) {
	bin := binary(t)
	d := peers.StartDovecot(t)
	mp := peers.StartMailpit(t)
	browser := peers.StartChromium(t)
	h := dovecotHome(t, d)
	site := freeSite(t)
	settings, err := os.ReadFile(h.Settings())
	if err != nil {
		t.Fatal(err)
	}
	settings = []byte(strings.Replace(string(settings), "[newsletter]\n", fmt.Sprintf("[newsletter]\nbase_url = %q\nnotify_askers = true\n", site), 1) +
		fmt.Sprintf("\n[smtp]\naddress = %q\nsecurity = \"none\"\nusername = \"\"\npassword_env = \"\"\n", mp.SMTPAddr))
	if err := os.WriteFile(h.Settings(), settings, 0o644); err != nil {
		t.Fatal(err)
	}
	editor := filepath.Join(t.TempDir(), "editor.sh")
	if err := os.WriteFile(editor, []byte("#!/bin/sh\nsed -i 's/^\\[Write your answer here.\\]$/Block the time in your calendar, like any meeting: a quokka-sized hour./' \"$1\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) string {
		t.Helper()
		cmd, out := mailbag(bin, h, d.Password, args...)
		cmd.Env = append(cmd.Env, "EDITOR="+editor)
		if err := cmd.Run(); err != nil {
			t.Fatalf("mailbag %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out.String()
	}

	d.Deliver(t, []byte("From: Mia Berg <mia@example.net>\r\nTo: ask@example.org\r\nSubject: How do I find time to learn?\r\nMessage-ID: <e2e-1@example.net>\r\nDate: Tue, 24 Nov 2026 10:00:00 +0000\r\n\r\nWork fills every hour. How do I find time to learn new things?\r\n\r\nThanks,\r\nMia Berg\r\n"))
	if out := run("ingest"); !strings.Contains(out, "ingested: 1 new") {
		t.Fatalf("ingest: %s", out)
	}
	run("subscribers", "add", "reader1@example.net", "reader2@example.net")
	if out := run("answer", "1", "--edit"); !strings.Contains(out, "Draft ready") {
		t.Fatalf("answer: %s", out)
	}
	if out := run("publish", "how-do-i-find-time-to-learn"); !strings.Contains(out, "Published posts/") {
		t.Fatalf("publish: %s", out)
	}
	if out := run("send", "--yes", "how-do-i-find-time-to-learn"); !strings.Contains(out, "sent 2, failed 0") || !strings.Contains(out, "Told 1 asker") {
		t.Fatalf("send: %s", out)
	}
	got := map[string]string{}
	for _, m := range mp.Messages(t) {
		got[m.To[0].Address] = m.Subject
	}
	if got["reader1@example.net"] != "How do I find time to learn?" || got["reader2@example.net"] == "" || !strings.HasPrefix(got["mia@example.net"], "Your question was answered") || len(got) != 3 {
		t.Errorf("Mailpit got %v", got)
	}

	startServe(t, bin, h, d.Password, site)
	if err := chromedp.Do(browser,
		chromedp.Navigate(site+"/"),
		chromedp.SendKeys(chromedp.CSS("#q"), "quokka"),
		chromedp.Submit(chromedp.CSS("#q")),
		chromedp.WaitVisible(chromedp.CSS("ol.hits mark")),
	); err != nil {
		t.Fatal(err)
	}
	title, err := chromedp.Run(browser, chromedp.Text(chromedp.CSS("ol.hits li a")))
	if err != nil || title != "How do I find time to learn?" {
		t.Errorf("search found %q, %v", title, err)
	}
	page, err := chromedp.Run(browser, chromedp.Text(chromedp.CSS("body")))
	if err != nil || strings.Contains(page, "Mia") {
		t.Errorf("the asker's name is on the site: %v\n%s", err, page)
	}
}
