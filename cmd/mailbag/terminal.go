package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// isTerminal reports whether v, standard input or output, is a terminal: a
// person types at it, or reads it. A character device is not enough:
// /dev/null is one, and a command run from cron or a service with its input
// from /dev/null must not wait for an answer.
func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// progressBar returns a function that draws a progress bar on w, a
// terminal, as work is done: "[=========      ] 512 of 2000 sent". It
// draws only when the bar or the percentage moves, ends the line once done
// reaches total, and draws nothing for fewer than least items, which take no
// time worth watching.
func progressBar(w io.Writer, what string, least int) func(done, total int) {
	const width = 30
	last, finished := -1, false
	prevDone, prevTotal := 0, 0
	return func(done, total int) {
		if total != prevTotal || done < prevDone { // another run: ingest --watch makes one a pass
			last, finished = -1, false
		}
		prevDone, prevTotal = done, total
		if finished || total < max(least, 1) {
			return
		}
		done = min(done, total)
		if pct := done * 100 / total; pct != last || done == total {
			last = pct
			bar := done * width / total
			fmt.Fprintf(w, "\r[%s%s] %d of %d %s", strings.Repeat("=", bar), strings.Repeat(" ", width-bar), done, total, what)
		}
		if done == total {
			finished = true
			fmt.Fprintln(w)
		}
	}
}
