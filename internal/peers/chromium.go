package peers

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// StartChromium starts Debian's Chromium, headless, with a fresh profile
// and none of its background connections (this machine's network refuses
// them), driven by chromedp. The browser stops when the test ends. Every
// action on the returned context has two minutes at most.
func StartChromium(t testing.TB) context.Context {
	t.Helper()
	path := need(t, "chromium", "chromium")
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox, // root in CI
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1000, 1200),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() {
		cancelTimeout()
		cancel()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil { // start it now: fail here, not in the middle
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}
