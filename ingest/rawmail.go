package ingest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"

	"mailbag/ingest/mailmsg"
	"mailbag/internal/atomicfile"
	"mailbag/questions"
)

// Raw messages are kept in mbox files, one for each day mail came in
// (mail/2026/2026-12-01.mbox), in the mboxrd form every mail program
// reads: a "From " line before each message, and a line of a message that
// starts with ">"s and "From " gets one ">" more, which reading takes off
// again, so the bytes come back exactly. A batch of messages is appended
// with one write and made durable with one sync, before anything is
// recorded of them: one file per message cost a file system operation per
// message, which set ingest's pace. Older versions kept a file per message
// (RawOffset -1); those are read as they are.

// rawRef says where one raw message is kept.
type rawRef struct {
	path         string // relative to the mail folder
	offset, size int64  // of the quoted bytes in the file; offset -1: the whole file
}

// appendRaw appends raws (with the sender of each, for its "From " line)
// to the mbox of the day now in mailDir, syncs it, and returns where each
// is, and undo, which cuts the mbox back to what it was (for when what
// follows fails: a run again appends them again). A failed append (a full
// disk) is cut back before it returns: the mbox never keeps part of a
// message.
func appendRaw(mailDir string, now time.Time, raws [][]byte, senders []string) (refs []rawRef, undo func() error, err error) {
	day := now.UTC()
	rel := filepath.Join(day.Format("2006"), day.Format("2006-01-02")+".mbox")
	path := filepath.Join(mailDir, rel)
	created := false
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		created = true
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, nil, fmt.Errorf("ingest: keep raw messages: %w", err)
		}
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("ingest: keep raw messages: %w", err)
	}
	defer f.Close()
	end, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return nil, nil, fmt.Errorf("ingest: keep raw messages: %w", err)
	}
	undo = func() error { return truncate(path, end) }
	buf := bufio.NewWriterSize(f, 1<<20)
	w := &countingWriter{w: buf, n: end}
	if end > 0 {
		// A write a crash cut short leaves the file without its last
		// line's end: start on a line of our own.
		last := make([]byte, 1)
		if _, err := f.ReadAt(last, end-1); err == nil && last[0] != '\n' {
			w.Write([]byte("\n\n"))
		}
	}
	refs = make([]rawRef, len(raws))
	stamp := now.UTC().Format(time.ANSIC)
	for i, raw := range raws {
		sender := senders[i]
		if sender == "" || strings.ContainsFunc(sender, unicode.IsSpace) { // the From line is "From SENDER DATE"
			sender = "MAILER-DAEMON"
		}
		fmt.Fprintf(w, "From %s %s\n", sender, stamp)
		refs[i] = rawRef{path: rel, offset: w.n}
		quoteFrom(w, raw)
		refs[i].size = w.n - refs[i].offset
		if !bytes.HasSuffix(raw, []byte("\n")) {
			w.Write([]byte("\n"))
		}
		w.Write([]byte("\n"))
	}
	err = buf.Flush()
	if err == nil {
		err = f.Sync()
	}
	if err == nil && created {
		err = atomicfile.SyncDir(filepath.Dir(path))
		if err == nil {
			err = atomicfile.SyncDir(filepath.Dir(filepath.Dir(path)))
		}
	}
	if err != nil {
		if terr := undo(); terr != nil {
			return nil, nil, fmt.Errorf("ingest: keep raw messages: %w (and cutting %s back failed: %v)", err, rel, terr)
		}
		return nil, nil, fmt.Errorf("ingest: keep raw messages: %w", err)
	}
	return refs, undo, nil
}

// truncate cuts the file at path back to size bytes, durably.
func truncate(path string, size int64) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		return err
	}
	return f.Sync()
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// fromLine says whether a line starts with ">"s and "From ": the lines
// mboxrd quotes.
func fromLine(line []byte) bool {
	return bytes.HasPrefix(bytes.TrimLeft(line, ">"), []byte("From "))
}

// quoteFrom writes raw with a ">" before each line that fromLine says.
func quoteFrom(w io.Writer, raw []byte) {
	for len(raw) > 0 {
		line := raw
		if i := bytes.IndexByte(raw, '\n'); i >= 0 {
			line = raw[:i+1]
		}
		if fromLine(line) {
			w.Write([]byte(">"))
		}
		w.Write(line)
		raw = raw[len(line):]
	}
}

// unquoteFrom takes quoteFrom's ">"s off again.
func unquoteFrom(quoted []byte) []byte {
	var out bytes.Buffer
	out.Grow(len(quoted))
	for len(quoted) > 0 {
		line := quoted
		if i := bytes.IndexByte(quoted, '\n'); i >= 0 {
			line = quoted[:i+1]
		}
		if line[0] == '>' && fromLine(line) {
			out.Write(line[1:])
		} else {
			out.Write(line)
		}
		quoted = quoted[len(line):]
	}
	return out.Bytes()
}

// ReadRaw returns the raw message of question q, as it came, from the
// mail folder mailDir.
func ReadRaw(mailDir string, q *questions.Question) ([]byte, error) {
	return readRaw(mailDir, rawRef{path: q.RawPath, offset: q.RawOffset, size: q.RawSize})
}

// readRaw returns the raw message kept at ref in mailDir, as it came.
func readRaw(mailDir string, ref rawRef) ([]byte, error) {
	if ref.path == "" {
		return nil, errors.New("ingest: the raw message was not kept")
	}
	path := filepath.Join(mailDir, ref.path)
	if ref.offset < 0 {
		raw, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("ingest: read raw message: %w", err)
		}
		return raw, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("ingest: read raw message: %w", err)
	}
	defer f.Close()
	quoted := make([]byte, ref.size)
	if _, err := f.ReadAt(quoted, ref.offset); err != nil {
		return nil, fmt.Errorf("ingest: read raw message %s at %d: %w", ref.path, ref.offset, err)
	}
	return unquoteFrom(quoted), nil
}

// readOldReports reads again, from their raw messages in mailDir, the
// reports that an older mailbag stored without what this one keeps of
// them, once. A report whose raw message is gone is kept with nothing.
func readOldReports(ctx context.Context, q *questions.Queue, mailDir string) error {
	reports, err := q.UnreadReports(ctx)
	if err != nil {
		return err
	}
	for _, r := range reports {
		var rep questions.Report
		if raw, err := readRaw(mailDir, rawRef{path: r.RawPath, offset: r.RawOffset, size: r.RawSize}); err == nil {
			if m, err := mailmsg.Parse(raw); err == nil {
				rep = mailmsg.ReportOf(r.Kind, m)
			}
		}
		if err := q.MarkReportRead(ctx, r.ID, r.Kind, rep); err != nil {
			return err
		}
	}
	return nil
}
