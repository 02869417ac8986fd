package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"mailbag/internal/peers"
)

// axeViolation is what axe-core reports of one rule a page breaks.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any `json:"target"`
	} `json:"nodes"`
}

// TestSiteAccessibility runs axe-core in Chromium over the pages a reader
// sees most, on a served home of the real posts: the home, a post with a
// wide code block, the archive, a search with hits and one without, the
// ask page empty and with answers. None
// may break a rule.
func TestSiteAccessibility(t *testing.T) {
	axe := peers.AxeScript(t)
	bin := binary(t)
	browser := peers.StartChromium(t)
	h, site := corpusHome(t, bin)
	code, err := filepath.Glob(filepath.Join(h.Posts(), "*-using-go-modules.md")) // wide code blocks
	if err != nil || len(code) != 1 {
		t.Fatalf("the post with code: %v %v", code, err)
	}
	name := filepath.Base(code[0])
	codePage := "/" + name[:4] + "/" + name[5:7] + "/" + name[8:10] + "/" + strings.TrimSuffix(name[11:], ".md") + "/"
	startServe(t, bin, h, "", site)
	for _, page := range []string{"/", codePage, "/archive/", "/search?q=generics", "/search?q=zzqxv", "/tags/modules/",
		"/ask", "/ask?q=How+do+I+find+where+my+Go+program+spends+its+CPU+time%3F"} {
		if err := chromedp.Do(browser, chromedp.Navigate(site+page), chromedp.WaitReady(chromedp.CSS("main"))); err != nil {
			t.Fatalf("%s: %v", page, err)
		}
		if _, err := chromedp.Run(browser, chromedp.Evaluate[bool](axe+";true")); err != nil {
			t.Fatalf("load axe-core: %v", err)
		}
		report, err := chromedp.Run(browser, chromedp.Evaluate[string](
			`axe.run(document, {resultTypes: ["violations"]}).then(r => JSON.stringify(r.violations))`, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("%s: axe: %v", page, err)
		}
		var violations []axeViolation
		if err := json.Unmarshal([]byte(report), &violations); err != nil {
			t.Fatal(err)
		}
		for _, v := range violations {
			t.Errorf("%s: %s (%s): %s, at %v", page, v.ID, v.Impact, v.Help, v.Nodes)
		}
	}
	if os.Getenv("MAILBAG_KEEP") != "" {
		t.Log(h.Dir)
	}
}
