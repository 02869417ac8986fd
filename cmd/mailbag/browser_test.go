package main

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"mailbag/internal/home"
	"mailbag/internal/peers"
)

// TestSiteInABrowser drives Debian's Chromium over a served home holding the
// real posts of the corpus: search and open a result; subscribe, confirm
// from the mail Mailpit got; unsubscribe with the link of a sent answer.
// Screenshots of the home and a search page are kept; the test prints where.
func TestSiteInABrowser(t *testing.T) {
	bin := binary(t)
	mp := peers.StartMailpit(t)
	browser := peers.StartChromium(t)
	h, err := home.Init(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	site := freeSite(t)
	settings := fmt.Sprintf("[newsletter]\nbase_url = %q\n\n[smtp]\naddress = %q\nsecurity = \"none\"\nusername = \"\"\npassword_env = \"\"\n", site, mp.SMTPAddr)
	if err := os.WriteFile(h.Settings(), []byte(settings), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) string {
		t.Helper()
		cmd, out := mailbag(bin, h, "", args...)
		if err := cmd.Run(); err != nil {
			t.Fatalf("mailbag %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out.String()
	}
	run("import", "../../testdata/seed")
	run("import", "../../testdata/corpora/posts/go-blog")

	startServe(t, bin, h, "", site)
	shots := filepath.Join(os.TempDir(), "mailbag-screenshots")
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", shots)
	shot := func(name string) {
		png, err := chromedp.Run(browser, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(shots, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	text := func(sel string) string {
		s, err := chromedp.Run(browser, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}

	// waitText waits until the element sel says want (a new page loaded).
	waitText := func(sel, want string) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			got, err := chromedp.Run(browser, chromedp.Text(chromedp.CSS(sel)))
			if err == nil && strings.TrimSpace(got) == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s says %q, not %q, after 20s", sel, got, want)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}

	// Search a word, see highlighted results, open one.
	if err := chromedp.Do(browser,
		chromedp.Navigate(site+"/"),
		chromedp.WaitVisible(chromedp.CSS("#q")),
	); err != nil {
		t.Fatal(err)
	}
	shot("home.png")
	if err := chromedp.Do(browser,
		chromedp.SendKeys(chromedp.CSS("#q"), "toes"),
		chromedp.Submit(chromedp.CSS("#q")),
		chromedp.WaitVisible(chromedp.CSS("ol.hits mark")),
	); err != nil {
		t.Fatal(err)
	}
	if got := text("ol.hits mark"); !strings.EqualFold(got, "toe") {
		t.Errorf("highlighted %q, want toe", got)
	}
	shot("search.png")
	if err := chromedp.Do(browser,
		chromedp.Click(chromedp.CSS("ol.hits li a")),
	); err != nil {
		t.Fatal(err)
	}
	waitText("article h1", "A product manager stepped on my toe")

	// Subscribe; the confirmation arrives in Mailpit; follow it.
	if err := chromedp.Do(browser,
		chromedp.SendKeys(chromedp.CSS("#email"), "reader@example.net"),
		chromedp.Submit(chromedp.CSS("#email")),
	); err != nil {
		t.Fatal(err)
	}
	waitText("main h1", "Check your inbox")
	confirm := regexp.MustCompile(regexp.QuoteMeta(site) + `/confirm\?t=[A-Za-z0-9._%-]+`).FindString(mp.Message(t, "latest").Text)
	if confirm == "" {
		t.Fatalf("no confirmation link in Mailpit's latest message")
	}
	if err := chromedp.Do(browser,
		chromedp.Navigate(confirm),
		chromedp.Click(chromedp.CSS("main form button")),
	); err != nil {
		t.Fatal(err)
	}
	waitText("main h1", "You are subscribed")
	if list := run("subscribers", "list"); !regexp.MustCompile(`(?m)^reader@example.net +active`).MatchString(list) {
		t.Fatalf("the subscriber is not active:\n%s", list)
	}

	// Send an answer; unsubscribe with the link in it.
	run("send", "--yes", "a-product-manager-stepped-on-my-toe")
	hdr := mp.Headers(t, "latest")
	unsub := strings.Trim(strings.Split(hdr["List-Unsubscribe"][0], ",")[0], "<> ")
	if u, err := url.Parse(unsub); err != nil || u.Path != "/unsubscribe" {
		t.Fatalf("List-Unsubscribe %q", hdr["List-Unsubscribe"])
	}
	if err := chromedp.Do(browser,
		chromedp.Navigate(unsub),
		chromedp.Click(chromedp.CSS("main form button")),
	); err != nil {
		t.Fatal(err)
	}
	waitText("main h1", "You are unsubscribed")
	if list := run("subscribers", "list", "--status", "unsubscribed"); !strings.Contains(list, "reader@example.net") {
		t.Fatalf("the subscriber is not unsubscribed:\n%s", list)
	}
}

// TestAskWithoutJavaScript: a reader with JavaScript off opens the ask
// page from the header, types a question, sees the past answer that
// answers it, and gets a mailto: link with the question filled in. The
// screenshot is README's.
func TestAskWithoutJavaScript(t *testing.T) {
	bin := binary(t)
	browser := peers.StartChromium(t)
	h, site := corpusHome(t, bin)
	startServe(t, bin, h, "", site)
	if _, err := chromedp.Call(browser, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	question := "How do I find out where my Go program spends its CPU time? Is there a profiler?"
	if err := chromedp.Do(browser,
		chromedp.Navigate(site+"/"),
		chromedp.Click(chromedp.CSS(`header nav a[href="/ask"]`)),
		chromedp.WaitVisible(chromedp.CSS("#question")),
		chromedp.SendKeys(chromedp.CSS("#question"), question),
		chromedp.Submit(chromedp.CSS("#question")),
		chromedp.WaitVisible(chromedp.CSS("ol.answers li a")),
	); err != nil {
		t.Fatal(err)
	}
	title, err := chromedp.Run(browser, chromedp.Text(chromedp.CSS("ol.answers li a")))
	if err != nil || title != "Profiling Go Programs" {
		t.Errorf("first answer %q (%v), want Profiling Go Programs", title, err)
	}
	attr, err := chromedp.Run(browser, chromedp.AttributeValue(chromedp.CSS("p.send a"), "href"))
	if err != nil {
		t.Fatal(err)
	}
	href := attr.Value
	u, err := url.Parse(href)
	if err != nil || u.Scheme != "mailto" || u.Opaque != "ask@example.org" || u.Query().Get("subject") != question || u.Query().Get("body") != question {
		t.Errorf("the mail link %q does not send the question to the newsletter", href)
	}
	png, err := chromedp.Run(browser, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	shots := filepath.Join(os.TempDir(), "mailbag-screenshots")
	if err := os.MkdirAll(shots, 0o755); err == nil {
		os.WriteFile(filepath.Join(shots, "ask.png"), png, 0o644)
		t.Logf("screenshot in %s", filepath.Join(shots, "ask.png"))
	}
}

// corpusHome is a new home, made as init makes it, of the seed post and
// the Go blog corpus imported, its base_url the address of the site to
// serve.
func corpusHome(t *testing.T, bin string) (home.Home, string) {
	t.Helper()
	h, err := home.Init(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	site := freeSite(t)
	setting(t, h, "newsletter", "base_url", fmt.Sprintf("%q", site))
	for _, src := range []string{"../../testdata/seed", "../../testdata/corpora/posts/go-blog"} {
		cmd, out := mailbag(bin, h, "", "import", src)
		if err := cmd.Run(); err != nil {
			t.Fatalf("import: %v\n%s", err, out)
		}
	}
	return h, site
}
