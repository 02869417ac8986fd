package site

import (
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// clientLimits rate-limits requests per client address.
type clientLimits struct {
	mu      sync.Mutex
	every   rate.Limit
	burst   int
	now     func() time.Time
	clients map[string]*rate.Limiter
	swept   time.Time
}

func newClientLimits(every time.Duration, burst int, now func() time.Time) *clientLimits {
	return &clientLimits{every: rate.Every(every), burst: burst, now: now, clients: map[string]*rate.Limiter{}}
}

// allow reports whether the client of r may make a request now. The table
// is emptied every ten minutes: an idle client's limiter is full anyway.
func (c *clientLimits) allow(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if now.Sub(c.swept) > 10*time.Minute {
		c.clients, c.swept = map[string]*rate.Limiter{}, now
	}
	l, ok := c.clients[host]
	if !ok {
		l = rate.NewLimiter(c.every, c.burst)
		c.clients[host] = l
	}
	return l.AllowN(now, 1)
}
