package mailmsg

import "testing"

// TestHTMLTextKeepsLists: list items keep their bullets and numbers, as the
// reader saw them.
func TestHTMLTextKeepsLists(t *testing.T) {
	for src, want := range map[string]string{
		"<p>Two things:</p><ul><li>time</li><li>money</li></ul>":            "Two things:\n\n- time\n- money",
		"<ol><li>first</li>\n<li>second</li><li>third <b>one</b></li></ol>": "1. first\n2. second\n3. third one",
		"<ul><li><p>a paragraph item</p></li></ul>":                         "- a paragraph item",
	} {
		if got := htmlText(src); got != want {
			t.Errorf("htmlText(%q) = %q, want %q", src, got, want)
		}
	}
}
