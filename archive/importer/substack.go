package importer

import (
	"fmt"
	"html"
	"io/fs"
	"path"
	"strings"
	"time"
)

// substackWidgets are the classes of what Substack puts in a post that
// belongs to its site, not to the text: subscribe, share and comment
// buttons, sign-up forms.
var substackWidgets = []string{"button-wrapper", "subscription-widget-wrap", "subscription-widget", "subscribe-widget", "share-dialog", "captioned-button-wrap"}

// readSubstack reads a Substack export (the zip or its folder): posts.csv,
// one line a post, and posts/POST_ID.html, each post's body. A post's
// slug is its ID's part after the dot ("123401.plain-text"); its old
// address is /p/SLUG.
func readSubstack(src string) ([]entry, string, error) {
	fsys, _, ok, err := openExport(src, "posts.csv")
	if err != nil {
		return nil, "", err
	}
	defer fsys.Close()
	if !ok {
		return nil, "", fmt.Errorf("no posts.csv: not a Substack export (Settings, Exports, Create new export)")
	}
	data, err := readAll(fsys, "posts.csv")
	if err != nil {
		return nil, "", err
	}
	recs, err := csvRecords(data, "posts.csv", "Substack", "post_id", "title")
	if err != nil {
		return nil, "", err
	}
	var out []entry
	for n, rec := range recs {
		id := rec["post_id"]
		e := entry{source: fmt.Sprintf("posts.csv:%d (%s)", n+2, id), title: rec["title"]}
		_, e.slug, _ = strings.Cut(id, ".")
		if e.slug != "" {
			e.aliases = []string{"/p/" + e.slug}
		}
		for _, d := range []string{rec["post_date"], rec["email_sent_at"]} {
			if t, err := time.Parse(time.RFC3339Nano, d); err == nil {
				e.date = t
				break
			}
		}
		switch typ, audience := strings.ToLower(rec["type"]), strings.ToLower(rec["audience"]); {
		case !strings.EqualFold(rec["is_published"], "true"):
			e.skip = "a draft on Substack (is_published is not true)"
		case typ == "page":
			e.skip = "a Substack page, not a post"
		case typ == "thread":
			e.skip = "a Substack discussion thread, not a post"
		case audience == "only_paid" || audience == "founding":
			e.skip = fmt.Sprintf("for paying subscribers only on Substack (audience %s)", audience)
		}
		if e.skip == "" {
			body, err := readAll(fsys, path.Join("posts", id+".html"))
			if err != nil {
				e.skip = fmt.Sprintf("its text, posts/%s.html, is not in the export", id)
			} else {
				e.html = withoutClasses(string(body), substackWidgets)
				if u := rec["podcast_url"]; u != "" {
					e.html = `<p>Audio: <a href="` + html.EscapeString(u) + `">` + html.EscapeString(u) + "</a></p>\n" + e.html
					e.notes = append(e.notes, "a podcast episode: its audio stays at "+u)
				}
				if sub := rec["subtitle"]; sub != "" {
					e.html = "<p><em>" + html.EscapeString(sub) + "</em></p>\n" + e.html
				}
			}
		}
		if _, err := fs.Stat(fsys, "posts"); err != nil && e.skip == "" {
			e.skip = "the export has no posts/ folder of texts"
		}
		out = append(out, e)
	}
	return out, "", nil
}
