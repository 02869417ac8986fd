package site

import (
	"math"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// clientLimits rate-limits requests per client: an IPv4 address, or an
// IPv6 /64 (one household's or one server's prefix).
type clientLimits struct {
	mu      sync.Mutex
	every   rate.Limit
	burst   int
	now     func() time.Time
	proxies []netip.Prefix
	clients map[netip.Addr]*rate.Limiter
	swept   time.Time
}

func newClientLimits(every time.Duration, burst int, now func() time.Time, proxies []netip.Prefix) *clientLimits {
	return &clientLimits{every: rate.Every(every), burst: burst, now: now, proxies: proxies, clients: map[netip.Addr]*rate.Limiter{}}
}

// allow reports whether the client of r may make a request now, and if
// not, how long it should wait. The table is emptied every ten minutes: an
// idle client's limiter is full anyway.
func (c *clientLimits) allow(r *http.Request) (bool, time.Duration) {
	key := limitKey(clientAddr(r, c.proxies))
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if now.Sub(c.swept) > 10*time.Minute {
		c.clients, c.swept = map[netip.Addr]*rate.Limiter{}, now
	}
	l, ok := c.clients[key]
	if !ok {
		l = rate.NewLimiter(c.every, c.burst)
		c.clients[key] = l
	}
	res := l.ReserveN(now, 1)
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return false, d
	}
	return true, 0
}

// clientAddr returns the address r comes from: the connection's, or, when that
// is a trusted proxy, the last address in X-Forwarded-For that is not one
// (a proxy appends the address it got the request from; what comes before
// is the client's word, not to be believed).
func clientAddr(r *http.Request, proxies []netip.Prefix) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	addr = addr.Unmap()
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0 && trusted(addr, proxies); i-- {
		next, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		addr = next.Unmap()
	}
	return addr
}

func trusted(a netip.Addr, proxies []netip.Prefix) bool {
	for _, p := range proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// limitKey returns the key of a's limit: a itself for IPv4, its /64 for IPv6.
func limitKey(a netip.Addr) netip.Addr {
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.Addr()
	}
	return a
}

// retryAfter returns d as a Retry-After value: whole seconds, at least one.
func retryAfter(d time.Duration) string {
	return strconv.Itoa(int(math.Max(1, math.Ceil(d.Seconds()))))
}
