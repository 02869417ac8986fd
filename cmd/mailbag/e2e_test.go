package main

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"mailbag/internal/home"
	"mailbag/internal/peers"
)

// TestEndToEnd runs the whole pipeline against real peers only, deployed as
// docs/operations.md says: `mailbag serve` started first and left running,
// then a question delivered to Dovecot, `mailbag ingest` over TLS, `answer`
// with a scripted editor, `publish` (the post on the running site within a
// second), `send` to subscribers in Mailpit, the post found by a search in
// Chromium, and the asker told in Mailpit. The settings are the file init
// wrote, with what the author changes.
func TestEndToEnd(t *testing.T) {
	bin := binary(t)
	d := peers.StartDovecot(t)
	mp := peers.StartMailpit(t)
	browser := peers.StartChromium(t)
	h := dovecotHome(t, d)
	site := freeSite(t)
	setting(t, h, "newsletter", "base_url", strconv.Quote(site))
	setting(t, h, "newsletter", "notify_askers", "true")
	relayTo(t, h, mp)
	startServe(t, bin, h, d.Password, site)
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
	if out := run("show", "1"); !strings.Contains(out, "How do I find time to learn?") {
		t.Fatalf("show beside serve: %s", out)
	}
	if out := run("answer", "1", "--edit"); !strings.Contains(out, "Draft ready") {
		t.Fatalf("answer: %s", out)
	}
	if out := run("publish", "how-do-i-find-time-to-learn"); !strings.Contains(out, "Published posts/") {
		t.Fatalf("publish: %s", out)
	}
	published := time.Now()
	for !strings.Contains(fetch(t, site+"/search?q=quokka"), "How do I find time to learn?") {
		if time.Since(published) > time.Second {
			t.Fatal("the published post is not found on the running site a second later")
		}
		time.Sleep(20 * time.Millisecond)
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

// fetch GETs url and returns the body.
func fetch(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestAcknowledgementListsPastAnswers: with acknowledge on and serve
// running, a question the archive answers already gets an acknowledgement
// (through Mailpit) that lists the past answer, its link working on the
// site; a question the archive does not answer gets one without any.
func TestAcknowledgementListsPastAnswers(t *testing.T) {
	bin := binary(t)
	d := peers.StartDovecot(t)
	mp := peers.StartMailpit(t)
	h := dovecotHome(t, d)
	site := freeSite(t)
	setting(t, h, "newsletter", "base_url", strconv.Quote(site))
	setting(t, h, "newsletter", "acknowledge", "true")
	relayTo(t, h, mp)
	run := func(args ...string) string {
		t.Helper()
		cmd, out := mailbag(bin, h, d.Password, args...)
		if err := cmd.Run(); err != nil {
			t.Fatalf("mailbag %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out.String()
	}
	run("import", "../../testdata/seed")
	run("import", "../../testdata/corpora/posts/go-blog")
	startServe(t, bin, h, d.Password, site)
	run("ingest") // acknowledging starts: mail from now on gets a reply
	// Acknowledging starts at the second after ingest started, and Dovecot
	// dates a message by its file's time, to the second (and the kernel's
	// file times lag the clock by a tick): two seconds on, so that the
	// question is not taken for mail that came before acknowledging.
	for started := time.Now().Unix(); time.Now().Unix() <= started+1; {
		time.Sleep(10 * time.Millisecond)
	}

	d.Deliver(t, []byte("From: Ola Nordmann <ola@example.net>\r\nTo: ask@example.org\r\nSubject: Where does my program spend its time?\r\nMessage-ID: <ack-answers-1@example.net>\r\n\r\nHow do I find out where my Go program spends its CPU time? Is there a profiler?\r\n"))
	if out := run("ingest"); !strings.Contains(out, "acknowledged 1 question") {
		t.Fatalf("ingest: %s", out)
	}
	text := mp.Message(t, "latest").Text
	link := site + "/2011/06/24/pprof/"
	if !strings.Contains(text, "Profiling Go Programs (24 June 2011)") || !strings.Contains(text, link) {
		t.Fatalf("the acknowledgement does not list the past answer and its link %s:\n%s", link, text)
	}
	if page := fetch(t, link); !strings.Contains(page, "<h1>Profiling Go Programs</h1>") {
		t.Errorf("the acknowledgement's link %s does not lead to the answer", link)
	}

	d.Deliver(t, []byte("From: Kari <kari@example.net>\r\nTo: ask@example.org\r\nSubject: Bread\r\nMessage-ID: <ack-answers-2@example.net>\r\n\r\nWhat's a good recipe for sourdough bread with a crunchy crust?\r\n"))
	if out := run("ingest"); !strings.Contains(out, "acknowledged 1 question") {
		t.Fatalf("ingest: %s", out)
	}
	if text := mp.Message(t, "latest").Text; !strings.Contains(text, `arrived: "Bread"`) || strings.Contains(text, "While you wait") || strings.Contains(text, site) {
		t.Errorf("a question the archive does not answer is acknowledged with past answers:\n%s", text)
	}
}

// relayTo points the [smtp] settings of h at Mailpit: a relay without
// login (no password either) or TLS.
func relayTo(t *testing.T, h home.Home, mp *peers.Mailpit) {
	t.Helper()
	setting(t, h, "smtp", "address", strconv.Quote(mp.SMTPAddr))
	setting(t, h, "smtp", "security", `"none"`)
	setting(t, h, "smtp", "username", `""`)
}
