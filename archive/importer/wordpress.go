package importer

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"html"
	"regexp"
	"slices"
	"strings"
	"time"
)

// wxr is a WordPress export (WXR, Tools → Export), the parts mailbag
// reads.
type wxr struct {
	Channel struct {
		Link     string    `xml:"link"`
		BaseSite string    `xml:"base_site_url"`
		Items    []wxrItem `xml:"item"`
	} `xml:"channel"`
}

type wxrItem struct {
	Title      string `xml:"title"`
	Link       string `xml:"link"`
	PubDate    string `xml:"pubDate"`
	Content    string `xml:"http://purl.org/rss/1.0/modules/content/ encoded"`
	PostID     string `xml:"post_id"`
	PostDate   string `xml:"post_date"`
	PostGMT    string `xml:"post_date_gmt"`
	PostName   string `xml:"post_name"`
	Status     string `xml:"status"`
	PostType   string `xml:"post_type"`
	Password   string `xml:"post_password"`
	Categories []struct {
		Domain   string `xml:"domain,attr"`
		Nicename string `xml:"nicename,attr"`
		Name     string `xml:",chardata"`
	} `xml:"category"`
}

// readWordPress reads a WordPress WXR file: its published posts (not
// pages, attachments, drafts, private or password-protected posts), their
// categories and tags as tags, their permalink and /?p=ID as old
// addresses.
func readWordPress(src string) ([]entry, string, error) {
	data, err := readFile(src)
	if err != nil {
		return nil, "", err
	}
	var x wxr
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = false
	dec.Entity = xml.HTMLEntity
	if err := dec.Decode(&x); err != nil {
		return nil, "", fmt.Errorf("not a WordPress export (WXR) that reads: %w", err)
	}
	site := strings.TrimRight(strings.TrimSpace(x.Channel.BaseSite), "/")
	if site == "" {
		site = strings.TrimRight(strings.TrimSpace(x.Channel.Link), "/")
	}
	if !strings.HasPrefix(site, "http://") && !strings.HasPrefix(site, "https://") {
		site = ""
	}
	var out []entry
	for _, it := range x.Channel.Items {
		e := entry{source: fmt.Sprintf("item %s (%s)", it.PostID, strings.TrimSpace(it.Title)), title: html.UnescapeString(strings.TrimSpace(it.Title))}
		e.slug = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSpace(it.PostName), ".html"), ".htm")
		e.date = wordpressDate(it)
		if p := pathOf(it.Link); p != "" {
			e.aliases = append(e.aliases, p)
		}
		if id := strings.TrimSpace(it.PostID); id != "" {
			e.aliases = append(e.aliases, "/?p="+id)
		}
		for _, c := range it.Categories {
			if (c.Domain == "category" || c.Domain == "post_tag") && !strings.EqualFold(strings.TrimSpace(c.Name), "Uncategorized") {
				e.tags = append(e.tags, html.UnescapeString(strings.TrimSpace(c.Name)))
			}
		}
		switch typ := strings.TrimSpace(it.PostType); {
		case typ == "page":
			e.skip = "a WordPress page, not a post"
		case typ == "attachment":
			e.skip = "a WordPress attachment (a media file); images stay where they are"
		case typ != "post":
			e.skip = fmt.Sprintf("a WordPress %s, not a post", typ)
		case it.Status != "publish":
			e.skip = fmt.Sprintf("not published on WordPress (status %s)", it.Status)
		case it.Password != "":
			e.skip = "password-protected on WordPress"
		}
		if e.skip == "" {
			var removed []string
			e.html, removed = autop(it.Content)
			if len(removed) > 0 {
				e.notes = append(e.notes, "WordPress shortcodes taken out: "+strings.Join(removed, ", "))
			}
		}
		out = append(out, e)
	}
	return out, site, nil
}

// wordpressDate returns when an item was published: post_date_gmt, else
// post_date (the site's time, read as UTC), else pubDate.
func wordpressDate(it wxrItem) time.Time {
	for _, d := range []string{it.PostGMT, it.PostDate} {
		if t, err := time.Parse(time.DateTime, strings.TrimSpace(d)); err == nil && t.Year() > 1 {
			return t
		}
	}
	if t, err := time.Parse(time.RFC1123Z, strings.TrimSpace(it.PubDate)); err == nil {
		return t.UTC()
	}
	return time.Time{}
}

// shortcode finds the opening or closing tag of one of WordPress's own
// shortcodes.
var shortcode = regexp.MustCompile(`\[/?(caption|wp_caption|gallery|embed|audio|video|playlist)(?:\s[^\]]*)?\]`)

// preBlock finds preformatted text.
var preBlock = regexp.MustCompile(`(?is)<pre\b.*?</pre>`)

// paragraphBreak is a blank line.
var paragraphBreak = regexp.MustCompile(`\n\s*\n`)

// blockStart finds a chunk of a classic post that is HTML's block already.
var blockStart = regexp.MustCompile(`(?i)^<(?:p|div|h[1-6]|ul|ol|li|blockquote|pre|table|figure|hr|!--|img|iframe|dl|section|article|aside|header|footer|form|address|script|style)\b`)

// autop turns a classic WordPress post's text into HTML as WordPress shows
// it: a blank line ends a paragraph, a newline within one is a line
// break; the block editor's HTML is kept as it is. The shortcodes
// ([caption], [gallery], …) are taken out, the text between them kept;
// removed names them.
func autop(content string) (string, []string) {
	var removed []string
	content = shortcode.ReplaceAllStringFunc(content, func(tag string) string {
		name := shortcode.FindStringSubmatch(tag)[1]
		if !strings.HasPrefix(tag, "[/") && !slices.Contains(removed, "["+name+"]") {
			removed = append(removed, "["+name+"]")
		}
		return ""
	})
	content = strings.ReplaceAll(content, "\r\n", "\n")
	// Preformatted text keeps its blank lines: set aside, put back.
	var pres []string
	content = preBlock.ReplaceAllStringFunc(content, func(pre string) string {
		pres = append(pres, pre)
		return fmt.Sprintf("\n\n<!--mailbag-pre-%d-->\n\n", len(pres)-1)
	})
	var b strings.Builder
	for _, chunk := range paragraphBreak.Split(content, -1) {
		chunk = strings.TrimSpace(chunk)
		switch {
		case chunk == "":
		case blockStart.MatchString(chunk):
			b.WriteString(chunk + "\n")
		default:
			b.WriteString("<p>" + strings.ReplaceAll(chunk, "\n", "<br>\n") + "</p>\n")
		}
	}
	out := b.String()
	for i, pre := range pres {
		out = strings.Replace(out, fmt.Sprintf("<!--mailbag-pre-%d-->", i), pre, 1)
	}
	return out, removed
}
