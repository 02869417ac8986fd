package terms

import (
	"encoding/binary"

	"github.com/blevesearch/bleve/v2/analysis"
)

// Packed is the terms of a text, in order, in one slice of bytes: each
// term's length as a varint, then its bytes; without their places, which
// the index keeps of no body (phrase.go). A post's terms are made when
// its batch is read (Pairs.Read) and given to bleve when the batch is
// indexed; packed, they are a few bytes a word where a token was a
// pointer, a struct and a slice, about a hundred.
type Packed []byte

// Pack returns the terms of stream packed.
func Pack(stream analysis.TokenStream) Packed {
	n := 0
	for _, t := range stream {
		n += len(t.Term) + 1
	}
	out := make([]byte, 0, n)
	for _, t := range stream {
		out = binary.AppendUvarint(out, uint64(len(t.Term)))
		out = append(out, t.Term...)
	}
	return out
}

// Tokens returns the terms packed in p, each at the next place, sharing
// p's bytes. Bytes that Pack did not make end where they stop making
// sense.
func (p Packed) Tokens() analysis.TokenStream {
	var tokens []analysis.Token
	for len(p) > 0 {
		n, size := binary.Uvarint(p)
		if size <= 0 || n > uint64(len(p)-size) {
			break
		}
		p = p[size:]
		tokens = append(tokens, analysis.Token{Term: p[:n:n], Position: len(tokens) + 1, Type: analysis.AlphaNumeric})
		p = p[n:]
	}
	out := make(analysis.TokenStream, len(tokens))
	for i := range tokens {
		out[i] = &tokens[i]
	}
	return out
}
