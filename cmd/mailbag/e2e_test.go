package main

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
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
	setting(t, h, "imap", "authserv_ids", `["mx.example.org"]`)
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

	d.Deliver(t, []byte(authResults+"From: Mia Berg <mia@example.net>\r\nTo: ask@example.org\r\nSubject: How do I find time to learn?\r\nMessage-ID: <e2e-1@example.net>\r\nDate: Tue, 24 Nov 2026 10:00:00 +0000\r\n\r\nWork fills every hour. How do I find time to learn new things?\r\n\r\nThanks,\r\nMia Berg\r\n"))
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
	// publish hands the post to serve's index itself: it is found at once.
	// The deadline is generous (under -race on two cores); how fast it is
	// belongs in a benchmark.
	published := time.Now()
	for !strings.Contains(fetch(t, site+"/search?q=quokka"), "How do I find time to learn?") {
		if time.Since(published) > 10*time.Second {
			t.Fatal("the published post is not found on the running site 10 s later")
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
	setting(t, h, "imap", "authserv_ids", `["mx.example.org"]`)
	setting(t, h, "newsletter", "acknowledge", "true")
	relayTo(t, h, mp)
	run := runner(t, bin, h, d.Password)
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

	d.Deliver(t, []byte(authResults+"From: Ola Nordmann <ola@example.net>\r\nTo: ask@example.org\r\nSubject: Where does my program spend its time?\r\nMessage-ID: <ack-answers-1@example.net>\r\n\r\nHow do I find out where my Go program spends its CPU time? Is there a profiler?\r\n"))
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

	d.Deliver(t, []byte(authResults+"From: Kari <kari@example.net>\r\nTo: ask@example.org\r\nSubject: Bread\r\nMessage-ID: <ack-answers-2@example.net>\r\n\r\nWhat's a good recipe for sourdough bread with a crunchy crust?\r\n"))
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

// TestFollowUpsJoinTheirQuestion: through Dovecot and Mailpit, the asker's
// reply to the acknowledgement and to their own question join the question,
// where `show` and the draft have them in order; another reader's reply
// to it is a question of its own; once it is answered, a reply to the
// notice is a new question that names the one it follows.
func TestFollowUpsJoinTheirQuestion(t *testing.T) {
	bin := binary(t)
	d := peers.StartDovecot(t)
	mp := peers.StartMailpit(t)
	h := dovecotHome(t, d)
	setting(t, h, "newsletter", "base_url", strconv.Quote(freeSite(t)))
	setting(t, h, "imap", "authserv_ids", `["mx.example.org"]`)
	setting(t, h, "newsletter", "acknowledge", "true")
	setting(t, h, "newsletter", "notify_askers", "true")
	relayTo(t, h, mp)
	run := runner(t, bin, h, d.Password)
	run("ingest") // acknowledging starts
	for started := time.Now().Unix(); time.Now().Unix() <= started+1; {
		time.Sleep(10 * time.Millisecond) // past the second it starts at (see TestAcknowledgementListsPastAnswers)
	}
	d.Deliver(t, []byte(authResults+"From: Ola Nordmann <ola@example.net>\r\nTo: ask@example.org\r\nSubject: Standing desks\r\nMessage-ID: <q1@example.net>\r\nDate: Mon, 30 Nov 2026 09:00:00 +0000\r\n\r\nIs a standing desk worth it for a programmer?\r\n"))
	if out := run("ingest"); !strings.Contains(out, "ingested: 1 new") || !strings.Contains(out, "acknowledged 1 question") {
		t.Fatalf("ingest: %s", out)
	}
	ack := mp.Messages(t)[0].MessageID
	d.Deliver(t,
		[]byte(authResults+"From: Ola Nordmann <ola@example.net>\r\nTo: ask@example.org\r\nSubject: Re: Re: Standing desks\r\nMessage-ID: <f1@example.net>\r\nIn-Reply-To: <"+ack+">\r\nReferences: <q1@example.net> <"+ack+">\r\nDate: Mon, 30 Nov 2026 10:00:00 +0000\r\n\r\nThanks! I should add: I already have back pain.\r\n\r\nOn Mon, Ask Jim wrote:\r\n> Your question arrived.\r\n"),
		[]byte(authResults+"From: Ola Nordmann <OLA@example.net>\r\nTo: ask@example.org\r\nSubject: Re: Standing desks\r\nMessage-ID: <f2@example.net>\r\nIn-Reply-To: <q1@example.net>\r\nDate: Mon, 30 Nov 2026 11:00:00 +0000\r\n\r\nAnd my budget is 300 euros.\r\n"),
		[]byte(authResults+"From: Kari <kari@example.net>\r\nTo: ask@example.org\r\nSubject: Re: Standing desks\r\nMessage-ID: <other@example.net>\r\nIn-Reply-To: <q1@example.net>\r\nDate: Mon, 30 Nov 2026 12:00:00 +0000\r\n\r\nI have the same question about treadmill desks.\r\n"),
	)
	if out := run("ingest"); !strings.Contains(out, "ingested: 1 new, 0 ignored, 0 failed, 2 follow-ups to questions asked before") {
		t.Fatalf("ingest: %s", out)
	}
	list := run("questions")
	if !regexp.MustCompile(`(?m)^ +1 .*Standing desks .*ola@example.net>\)  \+2 follow-ups$`).MatchString(list) ||
		!regexp.MustCompile(`(?m)^ +\d+ .*Standing desks +\(Kari <kari@example.net>\)$`).MatchString(list) || strings.Count(list, "\n") != 2 {
		t.Errorf("questions: the two follow-ups should be with question 1, Kari's question on its own:\n%s", list)
	}
	show := run("show", "1")
	want := []string{"Is a standing desk worth it", "Follow-up 1 of 2", "I already have back pain.", "Follow-up 2 of 2", "And my budget is 300 euros."}
	at := 0
	for _, w := range want {
		i := strings.Index(show[at:], w)
		if i < 0 {
			t.Fatalf("show 1: %q missing or out of order:\n%s", w, show)
		}
		at += i
	}
	if strings.Contains(show, "Your question arrived") || strings.Contains(show, "treadmill") {
		t.Errorf("show 1 has the quoted acknowledgement or another reader's mail:\n%s", show)
	}
	run("answer", "1")
	draft, err := os.ReadFile(filepath.Join(h.Drafts(), "standing-desks.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?s)> Is a standing desk worth it.*And later:\n\n> Thanks\\?! I should add: I already have back pain\..*And later:\n\n> And my budget is 300 euros\.`).Match(draft) {
		t.Errorf("the draft does not quote the follow-ups after the question:\n%s", draft)
	}

	// Answered and sent: a reply to the notice joins the question too.
	os.WriteFile(filepath.Join(h.Drafts(), "standing-desks.md"), []byte(strings.Replace(string(draft), "[Write your answer here.]", "Try one for a month first.", 1)), 0o644)
	run("publish", "standing-desks")
	run("send", "--yes", "standing-desks")
	var notice string
	for _, m := range mp.Messages(t) {
		if strings.HasPrefix(m.Subject, "Your question was answered") {
			notice = m.MessageID
		}
	}
	if notice == "" {
		t.Fatal("no notice that the question was answered in Mailpit")
	}
	d.Deliver(t, []byte(authResults+"From: ola@example.net\r\nTo: ask@example.org\r\nSubject: Re: Your question was answered\r\nMessage-ID: <f3@example.net>\r\nIn-Reply-To: <"+notice+">\r\nDate: Tue, 1 Dec 2026 09:00:00 +0000\r\n\r\nI tried it: my back is better.\r\n"))
	// The question is answered: the reply is a question again, which
	// shows the question it follows and where it was answered.
	if out := run("ingest"); !strings.Contains(out, "ingested: 1 new, 0 ignored, 0 failed") {
		t.Fatalf("ingest: %s", out)
	}
	again := regexp.MustCompile(`(?m)^ +(\d+) .*Your question was answered .*\[follows up 1\]$`).FindStringSubmatch(run("questions"))
	if again == nil {
		t.Fatalf("the reply to the notice is not a new question that follows up 1:\n%s", run("questions"))
	}
	show = run("show", again[1])
	if !strings.Contains(show, `Follows:  question 1, "Standing desks" (answered at http`) || !strings.Contains(show, "my back is better") {
		t.Errorf("show %s does not name the question it follows and its answer:\n%s", again[1], show)
	}
	if show := run("show", "1"); !strings.Contains(show, "Follow-up 3 of 3") || !strings.Contains(show, "my back is better") {
		t.Errorf("the reply to the notice is not in question 1's thread:\n%s", show)
	}
}

// runner runs the binary on h (with the IMAP password) and returns what it
// printed; a failure ends the test.
func runner(t *testing.T, bin string, h home.Home, password string) func(args ...string) string {
	return func(args ...string) string {
		t.Helper()
		cmd, out := mailbag(bin, h, password, args...)
		if err := cmd.Run(); err != nil {
			t.Fatalf("mailbag %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out.String()
	}
}

// authResults is the Authentication-Results field the receiving server
// (mx.example.org, as the tests' authserv_ids say) adds to mail from a
// reader whose domain passed DMARC: the tests put mail straight into the
// mailbox, so they add it themselves.
const authResults = "Authentication-Results: mx.example.org; dmarc=pass header.from=example.net\r\n"
