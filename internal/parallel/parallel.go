// Package parallel runs a loop's iterations on every core.
package parallel

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// For calls do(i) for every i below n, on every core, and returns when all
// calls have. The calls' order is not i's.
func For(n int, do func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(n, runtime.GOMAXPROCS(0)) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				do(i)
			}
		})
	}
	wg.Wait()
}
