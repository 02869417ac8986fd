// Command mailbag runs an email Q&A newsletter: readers mail questions, the
// author answers them from the terminal as dated Markdown posts, and the
// answers land in a searchable archive.
//
// This package only wires things together: it reads flags, the environment
// and the settings, finds the home, loads the templates and keeps the one
// clock, and calls into ingest, publish, archive and archive/site, one file
// per command; subscriptions.go fills the site's Subscriptions with
// publish's. main alone decides the exit code.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	_ "time/tzdata" // time zones on machines without a zoneinfo database

	"mailbag/archive/search"
	"mailbag/internal/visible"
)

func main() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
	os.Exit(Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// memoryLimit is the heap size past which Go's collector works harder
// (a soft limit: GOMEMLIMIT in the environment overrides it). What mailbag
// keeps live is far less at any size of archive (posts are held without
// their text, the index's batches are 500 posts): 120–200 MB in a reindex
// of 100,000 posts. Without a limit the collector let the heap grow to
// twice the live data between collections (a reindex of 10,000 posts
// peaked at 570 MB); at 300 MB, a reindex of 100,000 posts peaks at 460 MB,
// 165 MB of it pages of the index's files, as fast as at 384 MB. At 256 MB
// the collector ran all the time and a reindex of 100,000 posts took three
// times as long.
const memoryLimit = 300 << 20

// Main runs the command line args and returns the exit code: 0 on
// success, 2 for a usage error or a query that cannot be read, 1 for any
// other failure. Errors are printed to stderr as one line.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// Everything printed goes through visible: a reader's Subject or a
	// visitor's search never acts on the terminal. What draws on it on
	// purpose (the inbox, a progress bar, the editor) takes raw().
	stdout, stderr = visible.NewWriter(stdout), visible.NewWriter(stderr)
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr, now: time.Now}
	root := newRootCmd(a)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	if msg, ok := diskFull(err, a.database); ok {
		fmt.Fprintf(stderr, "mailbag: %s\n", msg)
		return 1
	}
	fmt.Fprintf(stderr, "mailbag: %v\n", err)
	return exitCode(err)
}

// commandError is err said as the command name's: the author reads
// "send --test: a test copy to …", not the package the failure came
// from. It unwraps to err.
type commandError struct {
	name string
	err  error
}

func (e commandError) Error() string {
	msg := e.err.Error()
	if pkg, rest, ok := strings.Cut(msg, ": "); ok && !strings.Contains(pkg, " ") {
		msg = rest // the package's prefix ("publish: ")
	}
	return e.name + ": " + msg
}
func (e commandError) Unwrap() error { return e.err }

// usageError is a command line that cannot be run as given.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// exitCode maps an error to the process's exit code, in this one place.
func exitCode(err error) int {
	var ue usageError
	switch {
	case errors.As(err, &ue), errors.Is(err, search.ErrBadQuery):
		return 2
	}
	return 1
}
