package archive

import (
	"bytes"
	"fmt"
	"html"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// markdown is the one Markdown converter: CommonMark with GitHub's tables,
// strikethrough, autolinks and task lists, and raw HTML shown as text.
// goldmark converters are safe for concurrent use.
var markdown = goldmark.New(
	goldmark.WithExtensions(extension.GFM),
	goldmark.WithRendererOptions(renderer.WithNodeRenderers(
		util.Prioritized(escapedHTML{}, 100), // before the default renderer's 1000
	)),
)

// plainParser reads Markdown for PlainText: markdown's syntax without
// autolinks, which make no difference to the text (a link's text is the
// address) and cost a third of the parsing.
var plainParser = goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.TaskList)).Parser()

// RenderHTML renders a post body from Markdown to HTML. Raw HTML in the
// Markdown is escaped and shown as text, never passed through; HTML comments
// (notes to the author) are left out; links with dangerous schemes
// (javascript: and the like) lose their target.
func RenderHTML(md []byte) ([]byte, error) {
	var buf bytes.Buffer
	if err := markdown.Convert(md, &buf); err != nil {
		return nil, fmt.Errorf("archive: render markdown: %w", err)
	}
	return buf.Bytes(), nil
}

// escapedHTML renders raw HTML, inline and in blocks, as escaped text.
type escapedHTML struct{}

func (escapedHTML) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindHTMLBlock, renderHTMLBlock)
	reg.Register(ast.KindRawHTML, renderRawHTML)
}

func renderHTMLBlock(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	b := n.(*ast.HTMLBlock)
	if b.HTMLBlockType == ast.HTMLBlockType2 { // <!-- a comment -->
		return ast.WalkSkipChildren, nil
	}
	_, _ = w.WriteString("<p>")
	writeEscapedLines(w, src, b.Lines())
	if b.HasClosure() {
		_, _ = w.WriteString(html.EscapeString(string(b.ClosureLine.Value(src))))
	}
	_, _ = w.WriteString("</p>\n")
	return ast.WalkSkipChildren, nil
}

func renderRawHTML(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	raw := n.(*ast.RawHTML)
	if entering && !bytes.HasPrefix(raw.Segments.Value(src), []byte("<!--")) {
		writeEscapedLines(w, src, raw.Segments)
	}
	return ast.WalkSkipChildren, nil
}

func writeEscapedLines(w util.BufWriter, src []byte, lines *text.Segments) {
	for i := range lines.Len() {
		seg := lines.At(i)
		_, _ = w.WriteString(html.EscapeString(string(seg.Value(src))))
	}
}

// PlainText is the readable text of a Markdown body, for the search index
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
