package archive

import "sync"

// scratch lends byte buffers to work that is done with them before it
// returns: a hit's text lower-cased to find its words in, or read before it
// is copied into a string. A search made three copies of each hit's text,
// garbage that set how often Go's collector ran while searches waited.
var scratch = sync.Pool{New: func() any { return new([]byte) }}

// maxScratch bounds the buffers scratch keeps: a huge post's are let go.
const maxScratch = 1 << 20

// borrow is a buffer of n bytes (of any content) from scratch; give it
// back with giveBack once done with it.
func borrow(n int) *[]byte {
	b := scratch.Get().(*[]byte)
	if cap(*b) < n {
		*b = make([]byte, n)
	}
	*b = (*b)[:n]
	return b
}

// giveBack returns a buffer borrow lent; nothing may use it after.
func giveBack(b *[]byte) {
	if cap(*b) <= maxScratch {
		scratch.Put(b)
	}
}

// lowerCopy is a borrowed copy of text with its ASCII letters in lower case.
func lowerCopy(text string) *[]byte {
	b := borrow(len(text))
	copy(*b, text)
	lowerASCII(*b)
	return b
}
