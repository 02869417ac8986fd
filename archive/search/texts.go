package search

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
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
//
// Beside it, the places file (placesName) says where each post's text
// and codes are, by slug, so that a phrase's check of thousands of posts
// reads no stored fields: bleve gives their slugs and scores alone. What
// it buys (BenchmarkSearch in Japanese, phrases of four common
// characters, which a third of the posts hold): 50 / 155 ms p50 / p99
// where each hit's fields were read, most of that time; 16.6 / 53 ms
// with the places (docs/benchmarks.md).

// textsName is the texts file in an index's folder.
const textsName = "texts"

// maxTextLen bounds the text read for one hit: a damaged document must not
// make search allocate gigabytes.
const maxTextLen = 64 << 20

// placesName is the places file in an index's folder: a line saying
// what it is (placesMagic), where the index was made with it, then a
// record for each text added (textPlace), the last of a slug's the one
// its document points to.
const placesName = "texts.places"

// placesMagic begins a places file that has every post of its index: an
// index made before it has a places file of the posts added since, and
// its phrases are checked by the hits' stored fields.
const placesMagic = "mailbag places 1\n"

// textPlace is where the texts file has a post's text, and its codes
// after it.
type textPlace struct {
	at, n, codes int64
}

// textWriter appends texts to the texts file of an index's folder, and
// their places to its places file.
type textWriter struct {
	f, pf  *os.File
	w, pw  *bufio.Writer
	end    int64 // the texts file's length, what was written included
	record []byte
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
	pf, err := os.OpenFile(filepath.Join(dir, placesName), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		f.Close()
		return nil, err
	}
	t := &textWriter{f: f, pf: pf, w: bufio.NewWriterSize(f, 256<<10), pw: bufio.NewWriterSize(pf, 64<<10), end: fi.Size()}
	if pi, err := pf.Stat(); err == nil && pi.Size() == 0 && fi.Size() == 0 {
		// A new index: its places file has every post.
		t.pw.WriteString(placesMagic)
	}
	return t, nil
}

// add appends the text of the post slug and its codes, and says where
// they are: the codes follow the text.
func (t *textWriter) add(slug, text string, codes terms.Codes) (textPlace, error) {
	p := textPlace{at: t.end}
	m, err := t.w.WriteString(text)
	t.end += int64(m)
	p.n = int64(m)
	if err != nil {
		return p, err
	}
	c, err := t.w.Write(codes)
	t.end += int64(c)
	p.codes = int64(c)
	if err != nil {
		return p, err
	}
	t.record = binary.AppendUvarint(t.record[:0], uint64(len(slug)))
	t.record = append(t.record, slug...)
	for _, v := range []int64{p.at, p.n, p.codes} {
		t.record = binary.AppendUvarint(t.record, uint64(v))
	}
	_, err = t.pw.Write(t.record)
	return p, err
}

// sync puts what was added on the disk: before the batch of documents
// that point to it.
func (t *textWriter) sync() error {
	return errors.Join(t.w.Flush(), t.pw.Flush(), t.f.Sync(), t.pf.Sync())
}

func (t *textWriter) close() error {
	return errors.Join(t.sync(), t.f.Close(), t.pf.Close())
}

// readPlaces reads the places file of the index in dir: the place of
// each slug's text, and whether every post of the index has one. A
// record cut short (the process stopped while writing it) ends it; no
// file, or one that cannot be read, is no place.
func readPlaces(dir string) (places map[string]textPlace, all bool) {
	data, err := os.ReadFile(filepath.Join(dir, placesName))
	if err != nil {
		return nil, false
	}
	rest, all := bytes.CutPrefix(data, []byte(placesMagic))
	places = map[string]textPlace{}
	for len(rest) > 0 {
		n, k := binary.Uvarint(rest)
		if k <= 0 || n > uint64(len(rest)-k) {
			return places, false
		}
		slug := string(rest[k : k+int(n)])
		rest = rest[k+int(n):]
		var v [3]int64
		for i := range v {
			u, k := binary.Uvarint(rest)
			if k <= 0 || u > math.MaxInt64 {
				return places, false
			}
			v[i], rest = int64(u), rest[k:]
		}
		places[slug] = textPlace{at: v[0], n: v[1], codes: v[2]}
	}
	return places, all
}

// placed records the places of texts whose documents bleve now has. The
// places file has them before bleve does: after an update that failed,
// a post's place there may be of a text newer than its document, until
// the next Sync (OpenIndex's, at every command and at serve's start)
// indexes the post again: the manifest still has the version before.
func (x *Index) placed(places map[string]textPlace) {
	x.texts.Lock()
	defer x.texts.Unlock()
	if x.texts.places == nil {
		x.texts.places = map[string]textPlace{}
	}
	for slug, p := range places {
		x.texts.places[slug] = p
	}
	x.mapTexts()
}

// locate sets where each hit's text is from the places file; it returns
// false where the file does not have every post of the index (the hits'
// stored fields say it then), or one of the hits.
func (x *Index) locate(hits []Hit) bool {
	x.texts.RLock()
	defer x.texts.RUnlock()
	if !x.texts.allPlaced {
		return false
	}
	for i := range hits {
		p, ok := x.texts.places[hits[i].Slug]
		if !ok {
			return false
		}
		hits[i].textAt, hits[i].textLen, hits[i].codesLen = p.at, p.n, p.codes
	}
	return true
}

// openTexts opens the index's texts file for search to read, closing the
// one open before (a rebuild replaced the folder); with none, hits' texts
// are read from the posts' files.
func (x *Index) openTexts() {
	f, err := os.Open(filepath.Join(x.dir, textsName))
	if err != nil {
		f = nil
	}
	places, all := readPlaces(x.dir)
	x.texts.Lock()
	defer x.texts.Unlock()
	if x.texts.f != nil {
		unmapFile(x.texts.mapped)
		x.texts.f.Close()
	}
	x.texts.f, x.texts.mapped = f, nil
	x.texts.places, x.texts.allPlaced = places, all && f != nil
	x.mapTexts()
}

// mapTexts maps the texts file into memory anew, as long as it is now,
// where it has grown; under x.texts's lock. Where it cannot be mapped,
// it is read with ReadAt. What it buys: a post's codes are checked where
// they lie, where a system call copied them (BenchmarkSearch in
// Japanese, phrases of four common characters: 16.6 / 53 ms p50 / p99
// read, 10.9 / 31.9 ms mapped).
func (x *Index) mapTexts() {
	if x.texts.f == nil {
		return
	}
	fi, err := x.texts.f.Stat()
	if err != nil || fi.Size() == int64(len(x.texts.mapped)) {
		return
	}
	unmapFile(x.texts.mapped)
	x.texts.mapped, _ = mapFile(x.texts.f, fi.Size())
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

// codesHold reports whether a hit's codes hold phrase, read where the
// texts file is mapped, without a copy; ok is false where the hit has no
// codes there or they cannot be read.
func (x *Index) codesHold(h Hit, phrase terms.Coded) (holds, ok bool) {
	if h.codesLen <= 0 || h.codesLen > maxTextLen || h.codesLen%2 != 0 || h.textAt < 0 || h.textLen < 0 {
		return false, false
	}
	x.texts.RLock()
	if from, to := h.textAt+h.textLen, h.textAt+h.textLen+h.codesLen; to <= int64(len(x.texts.mapped)) {
		holds = terms.Codes(x.texts.mapped[from:to]).Holds(phrase)
		x.texts.RUnlock()
		return holds, true
	}
	x.texts.RUnlock()
	codes, ok := x.codes(h)
	return ok && codes.Holds(phrase), ok
}

// readTexts fills buf from the texts file at at; false where there is no
// texts file or it cannot be read there.
func (x *Index) readTexts(buf []byte, at int64) bool {
	x.texts.RLock()
	defer x.texts.RUnlock()
	if x.texts.f == nil {
		return false
	}
	if m := x.texts.mapped; at >= 0 && at+int64(len(buf)) <= int64(len(m)) {
		copy(buf, m[at:])
		return true
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
	err := errors.Join(unmapFile(x.texts.mapped), x.texts.f.Close())
	x.texts.f, x.texts.mapped = nil, nil
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
