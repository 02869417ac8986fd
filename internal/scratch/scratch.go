// Package scratch lends byte buffers to work that is done with them
// before it returns, so that reading a post or a hit's text makes no
// garbage for Go's collector.
package scratch

import "sync"

// pool holds the buffers: a hit's text lower-cased to find its words in,
// or read before it is copied into a string. A search made three copies of
// each hit's text, garbage that set how often Go's collector ran while
// searches waited.
var pool = sync.Pool{New: func() any { return new([]byte) }}

// maxScratch bounds the buffers pool keeps: a huge post's are let go.
const maxScratch = 1 << 20

// Borrow returns a buffer of n bytes (of any content) from the pool; give it
// back with GiveBack once done with it.
func Borrow(n int) *[]byte {
	b := pool.Get().(*[]byte)
	if cap(*b) < n {
		*b = make([]byte, n)
	}
	*b = (*b)[:n]
	return b
}

// GiveBack returns a buffer Borrow lent; nothing may use it after.
func GiveBack(b *[]byte) {
	if cap(*b) <= maxScratch {
		pool.Put(b)
	}
}
