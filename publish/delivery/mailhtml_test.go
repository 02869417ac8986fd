package delivery

import (
	"strings"
	"testing"
)

// TestMailHTML: the answer's HTML in the mail has its styles inline and its
// links absolute; text and escaping pass unchanged.
func TestMailHTML(t *testing.T) {
	in := `<h2 id="why">Why</h2>
<p>See <a href="/pkg/net/http/">net/http</a>, <a href="#why">why</a>, <a href="https://go.dev/">Go</a> &amp; <code>a &lt; b</code>.</p>
<blockquote>
<p>The question</p>
</blockquote>
<pre><code>if a &lt; b {
}
</code></pre>
<p><img src="/img/x.png" alt="x" style="border:0"></p>`
	got := mailHTML(in, "https://ask.example.org/2026/11/25/answer/")
	for _, want := range []string{
		`<a href="https://ask.example.org/pkg/net/http/" style="color:#1a5fb4;">net/http</a>`,
		`<a href="https://ask.example.org/2026/11/25/answer/#why" style="color:#1a5fb4;">why</a>`,
		`<a href="https://go.dev/" style="color:#1a5fb4;">Go</a> &amp; <code style="`,
		`>a &lt; b</code>`,
		`<blockquote style="padding-left:16px;`,
		`<pre style="padding:12px;`,
		"if a &lt; b {\n}\n</code></pre>",
		`<img src="https://ask.example.org/img/x.png" alt="x" style="max-width:100%; height:auto; border:0">`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q in\n%s", want, got)
		}
	}
}
