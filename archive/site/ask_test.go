package site

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The ask page shows the past answers that answer a question, and a
// mailto: link that sends it as typed; it takes nothing itself.
func TestAskPage(t *testing.T) {
	srv, _ := siteFixture(t)
	resp, body := get(t, srv, "/ask")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `<form class="ask" action="/ask" method="get">`) || strings.Contains(body, "mailto:ask@example.org?") {
		t.Fatalf("/ask without a question: %s\n%s", resp.Status, body)
	}
	if !strings.Contains(body, `<a href="/ask">Ask</a>`) {
		t.Errorf("the header does not link the ask page:\n%s", body)
	}

	// (The archive is three posts: most words of a question are in none,
	// so this one keeps to the seed's words; archive's TestAnswersForQuestions
	// judges the matching on a real archive.)
	question := "A product manager stepped on my toes:\nwhat do developers & managers do?"
	resp, body = get(t, srv, "/ask?q="+url.QueryEscape(question))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/ask?q=: %s", resp.Status)
	}
	if !strings.Contains(body, `<h2>Answers that may help</h2>`) || !strings.Contains(body, `<a href="/2018/06/20/a-product-manager-stepped-on-my-toe/">A product manager stepped on my toe</a>`) {
		t.Errorf("the seed post does not answer its own question:\n%s", body)
	}
	want := `href="mailto:ask@example.org?subject=A%20product%20manager%20stepped%20on%20my%20toes%3a&amp;body=A%20product%20manager%20stepped%20on%20my%20toes%3a%0d%0awhat%20do%20developers%20%26%20managers%20do%3f"`
	if !strings.Contains(strings.ToLower(body), strings.ToLower(want)) {
		t.Errorf("no mailto: link with the question filled in, want %s in:\n%s", want, body)
	}
	if resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q: a page with a reader's question must not be kept", resp.Header.Get("Cache-Control"))
	}

	_, body = get(t, srv, "/ask?q="+url.QueryEscape("Which sourdough starter makes the crunchiest bread crust?"))
	if !strings.Contains(body, "No past answer matches your question closely.") || strings.Contains(body, "Answers that may help") {
		t.Errorf("a question the archive does not answer:\n%s", body)
	}

	_, body = get(t, srv, "/ask?q="+url.QueryEscape(`<script>alert(1)</script> "toe"`))
	if strings.Contains(body, "<script>alert") {
		t.Errorf("the question is not escaped:\n%s", body)
	}

	resp, body = get(t, srv, "/ask?q="+strings.Repeat("x", maxQuestion+1))
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "longer than 4,000 characters") {
		t.Errorf("a question too long: %s\n%s", resp.Status, body)
	}

	for _, method := range []string{"POST", "PUT"} {
		req, _ := http.NewRequest(method, srv.URL+"/ask", strings.NewReader("q=spam"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed && resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s /ask: %s, want it refused: no question is taken over HTTP", method, resp.Status)
		}
	}
}
