package main

import (
	"context"
	"net"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"syscall"
	"testing"
	"time"

	"mailbag/internal/home"
)

// freeSite returns the URL of a free port on 127.0.0.1, for a site to
// listen on ("http://127.0.0.1:PORT", no slash).
func freeSite(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return "http://" + ln.Addr().String()
}

// startServe runs `mailbag serve` (the binary bin) on home h at site, and
// waits until it has printed its URL; it is stopped when the test ends.
func startServe(t *testing.T, bin string, h home.Home, password, site string) {
	t.Helper()
	serve, out := mailbag(bin, h, password, "serve", "--addr", strings.TrimPrefix(site, "http://"))
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		serve.Process.Signal(syscall.SIGTERM)
		serve.Wait()
	})
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(out.String(), site) {
		if time.Now().After(deadline) {
			t.Fatalf("serve printed no URL:\n%s", out)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// serve's heap grows by as much as it keeps, and 24 MB at least: a small
// archive is not collected every few searches.
func TestGCPercent(t *testing.T) {
	for _, c := range []struct {
		live uint64
		want int
	}{{38 << 20, 100}, {100 << 20, 100}, {16 << 20, 150}, {8 << 20, 300}, {0, 2400}} {
		if got := gcPercent(c.live); got != c.want {
			t.Errorf("gcPercent(%d MB) = %d, want %d", c.live>>20, got, c.want)
		}
	}
}

// TestRetuneGC: once serve keeps more (a heap of 64 MB live), its GOGC is
// set again from it, within seconds.
func TestRetuneGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(300))
	kept := make([]byte, 64<<20)
	runtime.GC()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { retuneGC(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	m := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		metrics.Read(m)
		if got := m[0].Value.Uint64(); got == 100 {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("GOGC still %d 10 s after the heap grew to 64 MB; want 100", got)
		}
	}
	runtime.KeepAlive(kept)
}
