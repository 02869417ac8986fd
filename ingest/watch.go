package ingest

import (
	"context"
	"errors"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"
)

// idleRestart is how long one IDLE lasts before it is re-issued: servers
// may drop a client idle for 30 minutes (RFC 9051, 5.4).
const idleRestart = 25 * time.Minute

// Backoff bounds for reconnecting after a dropped connection.
const (
	minBackoff = time.Second
	maxBackoff = 5 * time.Minute
)

// Watch stores new messages as they arrive, until ctx is done: a pass, then
// IDLE until the server says new mail came, then another pass. A dropped
// connection or a BYE is retried with growing delays; a refused login is
// not, and is returned. report, when not nil, is called after every pass.
// Watch returns nil once ctx is done.
func (in *Ingester) Watch(ctx context.Context, report func(Summary)) error {
	backoff := minBackoff
	lost := false
	for {
		passed, err := in.watchSession(ctx, report, lost)
		if ctx.Err() != nil {
			return nil
		}
		if errors.Is(err, ErrLogin) {
			return err
		}
		if passed {
			backoff = minBackoff
		}
		in.log.Warn("connection to the mailbox lost; reconnecting", "err", err, "in", backoff)
		lost = true
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, maxBackoff)
	}
}

// watchSession runs one connection's passes and IDLEs until it fails or ctx
// is done. passed reports whether at least one pass succeeded; the first
// says so in the log when the session follows a lost one (afterLoss).
func (in *Ingester) watchSession(ctx context.Context, report func(Summary), afterLoss bool) (passed bool, err error) {
	newMail := make(chan struct{}, 1)
	handler := &imapclient.UnilateralDataHandler{
		Mailbox: func(data *imapclient.UnilateralDataMailbox) {
			if data.NumMessages != nil {
				select { // the reader goroutine must not block
				case newMail <- struct{}{}:
				default:
				}
			}
		},
	}
	c, err := in.dial(handler)
	if err != nil {
		return false, err
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	for {
		sum, err := in.pass(ctx, c)
		if err != nil {
			return passed, in.withServerWords(err)
		}
		if afterLoss && !passed {
			in.log.Info("reconnected to the mailbox", "mailbox", in.opts.Server.Mailbox, "server", in.opts.Server.Address)
		}
		passed = true
		if report != nil {
			report(sum)
		}
		if err := in.idle(ctx, c, newMail); err != nil {
			return passed, in.withServerWords(err)
		}
		if ctx.Err() != nil {
			return passed, nil
		}
	}
}

// idle waits in IDLE until new mail, ctx done, the restart interval, or the
// connection's end.
func (in *Ingester) idle(ctx context.Context, c *imapclient.Client, newMail <-chan struct{}) error {
	cmd, err := c.Idle()
	if err != nil {
		return err
	}
	timer := time.NewTimer(in.idleRestart)
	defer timer.Stop()
	select {
	case <-newMail:
	case <-ctx.Done():
	case <-timer.C:
	case <-c.Closed():
	}
	if err := cmd.Close(); err != nil {
		return err
	}
	return cmd.Wait()
}
