package archive

import (
	"bytes"
	"fmt"
	"mailbag/internal/scratch"
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	gmhtml "github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
)

// markdown is the one Markdown converter: CommonMark with GitHub's tables,
// strikethrough, autolinks and task lists, raw HTML passed on to the
// sanitizer. goldmark converters are safe for concurrent use.
var markdown = goldmark.New(
	goldmark.WithExtensions(extension.GFM),
	goldmark.WithParserOptions(parser.WithAutoHeadingID(), parser.WithAttribute()), // stable ids, or a heading's own {#id}: in-post #anchors work, on the site and in mail
	goldmark.WithRendererOptions(gmhtml.WithUnsafe()),
)

// plainParser reads Markdown for PlainText: markdown's syntax without
// autolinks, which make no difference to the text (a link's text is the
// address) and cost a third of the parsing.
var plainParser = goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.TaskList),
	goldmark.WithParserOptions(parser.WithAttribute())).Parser()

// sanitizer is the allow-list every rendered post goes through: the
// elements and attributes of writing (text, headings with their ids, lists,
// quotes, code with its language, tables, images, links to http, https,
// mailto and the site's own pages), nothing that runs or restyles the page
// (scripts, styles, frames, forms, event handlers, javascript: links), no
// comments. A policy is safe for concurrent use.
var sanitizer = func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.RequireNoFollowOnLinks(false) // the author's own links
	anchor := regexp.MustCompile(`^[\p{L}\p{N}_.:/-]{1,100}$`)
	p.AllowAttrs("id").Matching(anchor).Globally() // what in-post links (#name) lead to
	p.AllowAttrs("name").Matching(anchor).OnElements("a")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^language-[\w+#.-]+$`)).OnElements("code")
	p.AllowAttrs("type").Matching(regexp.MustCompile(`^checkbox$`)).OnElements("input")
	p.AllowAttrs("checked", "disabled").OnElements("input")
	p.AllowAttrs("align").Matching(regexp.MustCompile(`^(left|center|right)$`)).OnElements("th", "td")
	p.AllowStyles("text-align").Matching(regexp.MustCompile(`^(left|center|right)$`)).OnElements("th", "td")
	return p
}()

// RenderHTML renders a post body from Markdown to HTML. Raw HTML in the
// Markdown (common in imported posts) is kept as far as the sanitizer's
// allow-list goes: what could run, restyle the page or hide text (scripts,
// styles, frames, event handlers, javascript: links, comments) is removed.
func RenderHTML(md []byte) ([]byte, error) {
	// The buffers are made about the size they end up (the HTML is a
	// little longer than the Markdown): growing them was most of what a
	// post's page allocated. The one before sanitizing is lent by scratch.
	scratchRaw := scratch.Borrow(len(md) + len(md)/2 + 512)
	defer scratch.GiveBack(scratchRaw)
	raw := bytes.NewBuffer((*scratchRaw)[:0])
	if err := markdown.Convert(md, raw); err != nil {
		return nil, fmt.Errorf("archive: render markdown: %w", err)
	}
	clean := bytes.NewBuffer(make([]byte, 0, raw.Len()+raw.Len()/8))
	if err := sanitizer.SanitizeReaderToWriter(raw, clean); err != nil {
		return nil, fmt.Errorf("archive: render markdown: %w", err)
	}
	// A wide code block scrolls: it takes the keyboard's focus, so that
	// it can be scrolled without a mouse (WCAG 2.1.1).
	if pre := []byte("<pre>"); bytes.Contains(clean.Bytes(), pre) {
		return bytes.ReplaceAll(clean.Bytes(), pre, []byte(`<pre tabindex="0">`)), nil
	}
	return clean.Bytes(), nil
}

// PlainText returns the readable text of a Markdown body, for the search index
// and for fragments: the words without the Markdown syntax, paragraphs
// separated by blank lines, code kept, raw HTML left out.
func PlainText(md []byte) string {
	return plainText(plainParser, md)
}

func plainText(p parser.Parser, md []byte) string {
	doc := p.Parse(text.NewReader(md))
	var b strings.Builder
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		switch n := n.(type) {
		case *ast.HTMLBlock, *ast.RawHTML:
			return ast.WalkSkipChildren, nil
		case *ast.Text:
			if entering {
				b.Write(n.Value(md))
				if n.SoftLineBreak() || n.HardLineBreak() {
					b.WriteByte('\n')
				}
			}
		case *ast.String:
			if entering {
				b.Write(n.Value)
			}
		case *ast.AutoLink:
			if entering {
				b.Write(n.Label(md))
			}
		case *ast.FencedCodeBlock, *ast.CodeBlock:
			if entering {
				lines := n.Lines()
				for i := range lines.Len() {
					seg := lines.At(i)
					b.Write(seg.Value(md))
				}
			}
		}
		if !entering && n.Type() == ast.TypeBlock && b.Len() > 0 && !strings.HasSuffix(b.String(), "\n\n") {
			b.WriteString("\n\n")
		}
		return ast.WalkContinue, nil
	})
	return strings.TrimSpace(b.String())
}
