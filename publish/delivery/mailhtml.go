package delivery

import (
	"net/url"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// mailStyles are the inline styles the answer's HTML gets in the mail, tag
// by tag: many mail clients drop a <style> element (Gmail's mobile web
// client, ProtonMail, GMX), none drops a style attribute. No margins:
// clients' own spacing of paragraphs and headings serves, and margin is the
// property they support least (Mailpit's HTML check).
var mailStyles = map[atom.Atom]string{
	atom.Blockquote: "padding-left:16px; border-left:3px solid #c8c8c0; color:#444444;",
	atom.Pre:        "padding:12px; background-color:#f3f3ef; font-family:Menlo, Consolas, monospace; font-size:14px; line-height:1.4;",
	atom.Code:       "font-family:Menlo, Consolas, monospace; font-size:14px; background-color:#f3f3ef;",
	atom.A:          "color:#1a5fb4;",
	atom.H2:         "font-size:22px; line-height:1.3;",
	atom.H3:         "font-size:19px; line-height:1.3;",
	atom.Ul:         "padding-left:24px;",
	atom.Ol:         "padding-left:24px;",
	atom.Img:        "max-width:100%; height:auto;",
	atom.Hr:         "border:none; border-top:1px solid #dddddd;",
}

// mailHTML makes the answer's HTML fit for a mail client: each element
// styled inline (mailStyles), and every link and image made absolute,
// against page (the post's URL): a link to /pkg/... or #section goes
// nowhere from a mail client. Text and other markup pass as they are.
func mailHTML(body, page string) string {
	base, err := url.Parse(page)
	if err != nil {
		return body
	}
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(body))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return b.String()
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			b.WriteString(mailTag(tok, base).String())
		default:
			b.Write(z.Raw())
		}
	}
}

// mailTag returns one start tag, styled and with its link absolute.
func mailTag(tok html.Token, base *url.URL) html.Token {
	style, styled := mailStyles[tok.DataAtom]
	for i, a := range tok.Attr {
		switch a.Key {
		case "href", "src":
			if u, err := url.Parse(a.Val); err == nil {
				tok.Attr[i].Val = base.ResolveReference(u).String()
			}
		case "style":
			tok.Attr[i].Val = style + " " + a.Val
			styled = false
		}
	}
	if styled {
		tok.Attr = append(tok.Attr, html.Attribute{Key: "style", Val: style})
	}
	return tok
}
