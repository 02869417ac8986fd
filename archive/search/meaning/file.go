package meaning

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// magic starts a model's file and says its layout's version.
const magic = "mailbag meaning 1\n"

// MarshalBinary returns the model as its file holds it: magic, then From,
// Dims and the number of words as uvarints, then each word (its length as
// a uvarint, its bytes, its idf as a float32), then the words' vectors,
// Dims float32 each, all little-endian.
func (m *Model) MarshalBinary() ([]byte, error) {
	words := make([]string, len(m.idf))
	for t, r := range m.terms {
		words[r] = t
	}
	out := []byte(magic)
	out = binary.AppendUvarint(out, uint64(m.From))
	out = binary.AppendUvarint(out, Dims)
	out = binary.AppendUvarint(out, uint64(len(words)))
	for i, t := range words {
		out = binary.AppendUvarint(out, uint64(len(t)))
		out = append(out, t...)
		out = binary.LittleEndian.AppendUint32(out, math.Float32bits(m.idf[i]))
	}
	for _, x := range m.vecs {
		out = binary.LittleEndian.AppendUint32(out, math.Float32bits(x))
	}
	return out, nil
}

// errFile is what a file that is not a model, or is cut short, gives.
var errFile = errors.New("not a model of meaning, or cut short")

// Unmarshal reads a model back from what MarshalBinary returned.
func Unmarshal(data []byte) (*Model, error) {
	rest, ok := cutPrefix(data, magic)
	if !ok {
		return nil, errFile
	}
	uvarint := func() (uint64, bool) {
		v, n := binary.Uvarint(rest)
		if n <= 0 {
			return 0, false
		}
		rest = rest[n:]
		return v, true
	}
	from, ok1 := uvarint()
	dims, ok2 := uvarint()
	count, ok3 := uvarint()
	if !ok1 || !ok2 || !ok3 || from > math.MaxInt32 || count > maxTerms {
		return nil, errFile
	}
	if dims != Dims {
		return nil, fmt.Errorf("a model of %d directions, where this mailbag keeps %d", dims, Dims)
	}
	m := &Model{From: int(from), terms: make(map[string]int32, count), idf: make([]float32, count)}
	for i := range count {
		n, ok := uvarint()
		if !ok || n > uint64(len(rest)) || len(rest)-int(n) < 4 {
			return nil, errFile
		}
		t := string(rest[:n])
		if _, dup := m.terms[t]; dup {
			return nil, errFile
		}
		m.terms[t] = int32(i)
		m.idf[i] = math.Float32frombits(binary.LittleEndian.Uint32(rest[n:]))
		if !finite(m.idf[i]) {
			return nil, errFile
		}
		rest = rest[n+4:]
	}
	if uint64(len(rest)) != 4*count*Dims {
		return nil, errFile
	}
	m.vecs = make([]float32, count*Dims)
	for i := range m.vecs {
		m.vecs[i] = math.Float32frombits(binary.LittleEndian.Uint32(rest[4*i:]))
		if !finite(m.vecs[i]) {
			return nil, errFile
		}
	}
	return m, nil
}

// cutPrefix is bytes.CutPrefix for a string prefix.
func cutPrefix(data []byte, prefix string) ([]byte, bool) {
	if len(data) < len(prefix) || string(data[:len(prefix)]) != prefix {
		return nil, false
	}
	return data[len(prefix):], true
}

// finite reports whether x is a number, not an infinity or NaN.
func finite(x float32) bool {
	return !math.IsNaN(float64(x)) && !math.IsInf(float64(x), 0)
}
