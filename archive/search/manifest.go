package search

import (
	"bufio"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
)

// indexedFile identifies the version of a post file that was indexed,
// without reading it, and the document made of it.
type indexedFile struct {
	Slug    string
	Size    int64
	ModTime int64 // Unix nanoseconds
}

// The manifest, file name to indexedFile, goes into the index with the
// last batch of every update, so that the index never records a post it
// does not hold. bleve keeps such values whole in memory and in its root
// file, so it is kept small: each file as four fields (name, slug, size,
// modification time; the strings length-prefixed, the numbers varints), in
// name order, compressed. At 100,000 posts that is about 1 MB, where JSON
// was 8 MB (and 17 MB in memory, decoded and raw).

// maxManifestString bounds a name or slug read back from the manifest: a
// corrupt length must not make the reader allocate gigabytes.
const maxManifestString = 4096

// encodeManifest returns m in the manifest's form.
func encodeManifest(m map[string]indexedFile) ([]byte, error) {
	var out bytes.Buffer
	z, err := flate.NewWriter(&out, flate.BestSpeed)
	if err != nil {
		return nil, err
	}
	w := bufio.NewWriter(z)
	var num [binary.MaxVarintLen64]byte
	put := func(s string) {
		w.Write(num[:binary.PutUvarint(num[:], uint64(len(s)))])
		w.WriteString(s)
	}
	for _, name := range slices.Sorted(maps.Keys(m)) {
		f := m[name]
		put(name)
		put(f.Slug)
		w.Write(num[:binary.PutVarint(num[:], f.Size)])
		w.Write(num[:binary.PutVarint(num[:], f.ModTime)])
	}
	if err := w.Flush(); err != nil {
		return nil, err
	}
	if err := z.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// decodeManifest reads what encodeManifest wrote.
func decodeManifest(raw []byte) (map[string]indexedFile, error) {
	r := bufio.NewReader(flate.NewReader(bytes.NewReader(raw)))
	var buf []byte
	str := func() (string, error) {
		n, err := binary.ReadUvarint(r)
		if err != nil {
			return "", err
		}
		if n > maxManifestString {
			return "", fmt.Errorf("a name of %d bytes", n)
		}
		buf = slices.Grow(buf[:0], int(n))[:n]
		if _, err := io.ReadFull(r, buf); err != nil {
			return "", err
		}
		return string(buf), nil
	}
	m := make(map[string]indexedFile)
	for {
		name, err := str()
		if errors.Is(err, io.EOF) {
			return m, nil
		}
		var f indexedFile
		if err == nil {
			f.Slug, err = str()
		}
		if err == nil {
			f.Size, err = binary.ReadVarint(r)
		}
		if err == nil {
			f.ModTime, err = binary.ReadVarint(r)
		}
		if err != nil {
			return nil, fmt.Errorf("manifest: entry %d: %w", len(m)+1, noEOF(err))
		}
		m[name] = f
	}
}

// noEOF returns err, with an end of input in the middle of an entry said as
// such.
func noEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}
