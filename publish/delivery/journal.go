package delivery

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
)

// The delivery journal is what lets the sender record every message before
// and after handing it over without a database commit for each.
//
// Before a message is handed to the server, its connection appends a line
// saying so to the journal, a plain file beside the database; when the
// server has answered, a line with the outcome. Appending a line is one
// write system call: once it returns, the line survives the process being
// killed (as SQLite's commits at synchronous=NORMAL do; a power loss may
// undo the last of either). The outcomes reach the database from a
// goroutine of their own, a hundred to a transaction. A run that stops
// short leaves the journal, and the next run replays it into the database
// before anything else: a delivery handed over without an outcome becomes
// unconfirmed.

// journalName is the journal's file name in the state folder.
const journalName = "send.journal"

// entry is one line of the journal: a delivery being handed over (status
// "sending") or its outcome ("sent", "failed", or "pending": deferred by
// the server, with its reason, or never tried after all).
type entry struct {
	slug      string
	id        int64 // the subscriber
	status    string
	bounced   bool
	messageID string
	err       string
}

// journalStatuses are the statuses a journal line may carry.
var journalStatuses = map[string]bool{"sending": true, "sent": true, "failed": true, "pending": true}

// appendTo appends e as a line: tab-separated fields, the error quoted.
func (e entry) appendTo(b []byte) []byte {
	b = append(b, e.slug...)
	b = append(b, '\t')
	b = strconv.AppendInt(b, e.id, 10)
	b = append(b, '\t')
	b = append(b, e.status...)
	b = append(b, '\t')
	b = strconv.AppendBool(b, e.bounced)
	b = append(b, '\t')
	b = append(b, e.messageID...)
	b = append(b, '\t')
	b = strconv.AppendQuote(b, e.err)
	return append(b, '\n')
}

// parseEntry reads a line written by appendTo, without its newline.
func parseEntry(line string) (entry, error) {
	f := strings.Split(line, "\t")
	if len(f) != 6 {
		return entry{}, fmt.Errorf("%d fields, want 6", len(f))
	}
	e := entry{slug: f[0], status: f[2], messageID: f[4]}
	var err error
	if e.id, err = strconv.ParseInt(f[1], 10, 64); err != nil {
		return entry{}, fmt.Errorf("subscriber %q is not a number", f[1])
	}
	if !journalStatuses[e.status] {
		return entry{}, fmt.Errorf("unknown status %q", e.status)
	}
	if e.bounced, err = strconv.ParseBool(f[3]); err != nil {
		return entry{}, fmt.Errorf("bounced %q is not true or false", f[3])
	}
	if e.err, err = strconv.Unquote(f[5]); err != nil {
		return entry{}, fmt.Errorf("error text %s is not quoted", f[5])
	}
	if e.slug == "" {
		return entry{}, errors.New("no post")
	}
	return e, nil
}

// journal is the open journal of a run.
type journal struct {
	f *os.File
	w io.Writer // f, or what tests put in its place
}

// openJournal opens the journal at path for appending, creating it.
func openJournal(path string) (*journal, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("publish: open the delivery journal: %w", err)
	}
	return &journal{f: f, w: f}, nil
}

// write appends e in one write call. It is safe for concurrent use: each
// line is written whole.
func (j *journal) write(e entry) error {
	var buf [256]byte
	if _, err := j.w.Write(e.appendTo(buf[:0])); err != nil {
		return fmt.Errorf("publish: record delivery to subscriber %d in the journal: %w", e.id, err)
	}
	return nil
}

func (j *journal) close() error {
	if err := j.f.Close(); err != nil {
		return fmt.Errorf("publish: close the delivery journal: %w", err)
	}
	return nil
}

// readJournal returns the entries of the journal at path, none when there
// is no journal. A last line without its newline was being written when
// the process died, and is left out: the write had not returned, so what it
// would have recorded had not happened yet.
func readJournal(path string) ([]entry, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("publish: read the delivery journal: %w", err)
	}
	defer f.Close()
	var entries []entry
	r := bufio.NewReader(f)
	for n := 1; ; n++ {
		line, err := r.ReadString('\n')
		if errors.Is(err, io.EOF) {
			return entries, nil // and line, if any, was cut short
		}
		if err != nil {
			return nil, fmt.Errorf("publish: read the delivery journal: %w", err)
		}
		e, err := parseEntry(strings.TrimSuffix(line, "\n"))
		if err != nil {
			return nil, fmt.Errorf("publish: delivery journal %s, line %d: %v", path, n, err)
		}
		entries = append(entries, e)
	}
}
