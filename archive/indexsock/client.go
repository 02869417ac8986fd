package indexsock

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"mailbag/archive"
	"mailbag/archive/search"
)

// ErrNoServer means no `mailbag serve` answers on the home's socket: the
// command opens the index itself.
var ErrNoServer = errors.New("indexsock: no mailbag serve answers on the home's socket")

// Client is the index a running serve holds, used through its socket. It
// has the methods of *search.Index that the commands use.
type Client struct {
	hc *http.Client
}

// Dial connects to the serve answering on addr (see Address). The error
// wraps ErrNoServer when none does.
func Dial(addr string) (*Client, error) {
	c, err := net.DialTimeout("unix", addr, time.Second)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoServer, err)
	}
	c.Close()
	dial := func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", addr)
	}
	return &Client{hc: &http.Client{Transport: &http.Transport{DialContext: dial}}}, nil
}

// Search does what search.Index.Search does, in serve.
func (c *Client) Search(ctx context.Context, q search.Query) (*search.Results, error) {
	var res search.Results
	if err := c.call(ctx, "/search", q, &res); err != nil {
		return nil, err
	}
	return &res, nil
}

// Related does what search.Index.Related does, in serve.
func (c *Client) Related(ctx context.Context, text string, n int) ([]search.Hit, error) {
	var hits []search.Hit
	err := c.call(ctx, "/related", relatedRequest{Text: text, N: n}, &hits)
	return hits, err
}

// Answers does what search.Index.Answers does, in serve.
func (c *Client) Answers(ctx context.Context, question string, n int) ([]search.Hit, error) {
	var hits []search.Hit
	err := c.call(ctx, "/related", relatedRequest{Text: question, N: n, Answers: true}, &hits)
	return hits, err
}

// Sync has serve bring its index up to date with posts/, which must be
// the posts serve serves (the same home).
func (c *Client) Sync(*archive.Posts) (search.SyncResult, error) {
	var r syncReply
	err := c.call(context.Background(), "/sync", struct{}{}, &r)
	return r.result(), err
}

// Add has serve index posts: it reads them from posts/, as Sync does.
func (c *Client) Add(...*archive.Post) error {
	_, err := c.Sync(nil)
	return err
}

// Rebuild has serve make its index anew from posts/ while it goes on
// answering. The result says how many posts it indexed and which files it
// left out.
func (c *Client) Rebuild(ctx context.Context) (search.SyncResult, error) {
	var r syncReply
	err := c.call(ctx, "/rebuild", struct{}{}, &r)
	return r.result(), err
}

// Merge has serve merge its index's segments (search.Index.Merge).
func (c *Client) Merge() error {
	return c.call(context.Background(), "/merge", struct{}{}, &struct{}{})
}

// Close does nothing: serve keeps its index.
func (c *Client) Close() error { return nil }

// call posts in as JSON to path and decodes the reply into out. An error
// serve sent keeps its meaning: a query it could not read wraps
// search.ErrBadQuery.
func (c *Client) call(ctx context.Context, path string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("indexsock: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://mailbag"+path, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("indexsock: %w", err)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("indexsock: the running mailbag serve did not answer: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var e errorReply
		if err := json.NewDecoder(resp.Body).Decode(&e); err != nil {
			return fmt.Errorf("indexsock: the running mailbag serve answered %s", resp.Status)
		}
		if e.BadQuery {
			return fmt.Errorf("%w: %s", search.ErrBadQuery, strings.TrimPrefix(e.Error, search.ErrBadQuery.Error()+": "))
		}
		return fmt.Errorf("mailbag serve: %s", e.Error)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("indexsock: the reply of the running mailbag serve: %w", err)
	}
	return nil
}
