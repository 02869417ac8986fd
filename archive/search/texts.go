package search

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"mailbag/archive"
	"mailbag/archive/search/terms"
	"mailbag/internal/scratch"
)

// The posts' plain texts, as the index made them, in one file in the
// index's folder (textsName). Search reads a hit's text there, for its
// fragment and to check a phrase, with one read at the place its document
// stores (the fields text_at and text_len), where reading the post's file
// and turning its Markdown into text again took a quarter of a search's
// time. Texts are only appended: a post indexed again has its new text at
// the end, and a rebuild starts anew. Where a document has no text there,
// or it cannot be read, the post's own file is read instead. What it buys
// (BenchmarkSearch and BenchmarkServe's searches): a quarter of a
// search's time, and every phrase's check of the posts that may hold it
// (phrase.go) reads its texts here. Each text is followed by the codes of
// its common words (terms.Codes, the field codes_len), where a phrase of
// common words is checked without reading the text.

// textsName is the texts file in an index's folder.
const textsName = "texts"

// maxTextLen bounds the text read for one hit: a damaged document must not
// make search allocate gigabytes.
const maxTextLen = 64 << 20

// textWriter appends texts to the texts file of an index's folder.
type textWriter struct {
	f   *os.File
	w   *bufio.Writer
	end int64 // the file's length, what was written included
}

func openTextWriter(dir string) (*textWriter, error) {
	f, err := os.OpenFile(filepath.Join(dir, textsName), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	return &textWriter{f: f, w: bufio.NewWriterSize(f, 256<<10), end: fi.Size()}, nil
}

// add appends text and its codes, and says where they are: the codes
// follow the text.
func (t *textWriter) add(text string, codes terms.Codes) (at, n, nCodes int64, err error) {
	at = t.end
	m, err := t.w.WriteString(text)
	t.end += int64(m)
	if err != nil {
		return at, int64(m), 0, err
	}
	c, err := t.w.Write(codes)
	t.end += int64(c)
	return at, int64(m), int64(c), err
}

// sync puts what was added on the disk: before the batch of documents
// that point to it.
func (t *textWriter) sync() error {
	return errors.Join(t.w.Flush(), t.f.Sync())
}

func (t *textWriter) close() error {
	return errors.Join(t.sync(), t.f.Close())
}

// openTexts opens the index's texts file for search to read, closing the
// one open before (a rebuild replaced the folder); with none, hits' texts
// are read from the posts' files.
func (x *Index) openTexts() {
	f, err := os.Open(filepath.Join(x.dir, textsName))
	if err != nil {
		f = nil
	}
	x.texts.Lock()
	defer x.texts.Unlock()
	if x.texts.f != nil {
		x.texts.f.Close()
	}
	x.texts.f = f
}

// storedText returns a hit's text from the texts file; ok is false where the
// document has none there or it cannot be read.
func (x *Index) storedText(h Hit) (text string, ok bool) {
	if h.textLen <= 0 || h.textLen > maxTextLen || h.textAt < 0 {
		return "", false
	}
	buf := scratch.Borrow(int(h.textLen))
	defer scratch.GiveBack(buf)
	if !x.readTexts(*buf, h.textAt) {
		return "", false
	}
	return string(*buf), true
}

// codes returns a hit's codes from the texts file (terms.Codes), just
// after its text; ok is false where the document has none there or they
// cannot be read.
func (x *Index) codes(h Hit) (codes terms.Codes, ok bool) {
	if h.codesLen <= 0 || h.codesLen > maxTextLen || h.codesLen%2 != 0 || h.textAt < 0 || h.textLen < 0 {
		return nil, false
	}
	codes = make(terms.Codes, h.codesLen)
	return codes, x.readTexts(codes, h.textAt+h.textLen)
}

// readTexts fills buf from the texts file at at; false where there is no
// texts file or it cannot be read there.
func (x *Index) readTexts(buf []byte, at int64) bool {
	x.texts.RLock()
	defer x.texts.RUnlock()
	if x.texts.f == nil {
		return false
	}
	_, err := x.texts.f.ReadAt(buf, at)
	return err == nil
}

// closeTexts closes the texts file search reads.
func (x *Index) closeTexts() error {
	x.texts.Lock()
	defer x.texts.Unlock()
	if x.texts.f == nil {
		return nil
	}
	err := x.texts.f.Close()
	x.texts.f = nil
	if err != nil {
		return fmt.Errorf("archive: close index: %w", err)
	}
	return nil
}

// readTextsFrom sets the folder of the posts' files, where text reads them.
func (x *Index) readTextsFrom(dir string) {
	x.texts.Lock()
	x.texts.dir = dir
	x.texts.Unlock()
}

// text returns the plain text of a hit's post, from the index's texts file,
// else from the post's file; "" when it cannot be read.
func (x *Index) text(h Hit) string {
	if t, ok := x.storedText(h); ok {
		return t
	}
	x.texts.RLock()
	dir, name := x.texts.dir, h.file
	x.texts.RUnlock()
	if dir == "" || name == "" || filepath.Base(name) != name {
		return ""
	}
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return ""
	}
	// The body alone: what the front matter says is in the index.
	body, err := archive.BodyOf(data)
	if err != nil {
		return ""
	}
	return archive.PlainText(body)
}
