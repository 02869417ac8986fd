package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/sys/unix"

	"mailbag/internal/visible"
)

// isTerminal reports whether v, standard input or output, is a terminal: a
// person types at it, or reads it. A character device is not enough:
// /dev/null is one, and a command run from cron or a service with its input
// from /dev/null must not wait for an answer.
func isTerminal(v any) bool {
	if w, ok := v.(io.Writer); ok {
		v = raw(w)
	}
	f, ok := v.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// raw returns the writer under w when w shows outside text safely
// (visible.Writer): for what draws on the terminal on purpose, with only
// its own text or text it made safe itself.
func raw(w io.Writer) io.Writer {
	if v, ok := w.(*visible.Writer); ok {
		return v.W
	}
	return w
}

// readKey waits for one key at the terminal f, without Enter and without
// echoing it, and returns its first byte. The terminal is as it was when
// it returns, and when ctx is done (Ctrl-C still stops the program).
func readKey(ctx context.Context, f *os.File) (byte, error) {
	fd := int(f.Fd())
	old, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return 0, err
	}
	raw := *old
	raw.Lflag &^= unix.ICANON | unix.ECHO
	raw.Cc[unix.VMIN], raw.Cc[unix.VTIME] = 1, 0
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, &raw); err != nil {
		return 0, err
	}
	returned := make(chan struct{})
	defer func() {
		close(returned)
		unix.IoctlSetTermios(fd, unix.TCSETS, old)
	}()
	go func() { // stopped while waiting: the read never returns
		select {
		case <-ctx.Done():
			unix.IoctlSetTermios(fd, unix.TCSETS, old)
		case <-returned:
		}
	}()
	var b [1]byte
	if _, err := f.Read(b[:]); err != nil {
		return 0, err
	}
	return b[0], nil
}

// progressBar draws a progress bar on a terminal as work is done:
// "[=========      ] 512 of 2000 sent". It draws only when the bar or the
// percentage moves, ends the line once done reaches total, and draws
// nothing for fewer than least items, which take no time worth watching.
// Its methods may be called on nil, which draws nothing.
type progressBar struct {
	w     io.Writer
	what  string
	least int

	last                int  // the percentage drawn; -1 for none
	open                bool // a bar is on the line, not ended
	prevDone, prevTotal int
}

func newProgressBar(w io.Writer, what string, least int) *progressBar {
	return &progressBar{w: w, what: what, least: max(least, 1), last: -1}
}

// update draws done of total.
func (p *progressBar) update(done, total int) {
	const width = 30
	if p == nil {
		return
	}
	if total != p.prevTotal || done < p.prevDone { // another run: ingest --watch makes one a pass
		p.end()
		p.last = -1
	}
	p.prevDone, p.prevTotal = done, total
	if total < p.least || (p.last == 100 && !p.open) {
		return
	}
	done = min(done, total)
	if pct := done * 100 / total; pct != p.last || done == total {
		p.last = pct
		bar := done * width / total
		fmt.Fprintf(p.w, "\r[%s%s] %d of %d %s", strings.Repeat("=", bar), strings.Repeat(" ", width-bar), done, total, p.what)
		p.open = true
	}
	if done == total {
		p.end()
	}
}

// end ends the line of a bar left part-way (the work stopped short), so
// that what is printed next starts on a line of its own.
func (p *progressBar) end() {
	if p != nil && p.open {
		fmt.Fprintln(p.w)
		p.open = false
	}
}
