package ingest

import (
	"bytes"
	"mailbag/questions"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestRawMailRoundTrip: messages kept in the day's mbox read back byte for
// byte, whatever their lines ("From " at a line's start, already quoted
// ">From ", CRLF, no last line end), across batches, after a crash cut the
// file short, and a message kept alone by an older version still reads.
func TestRawMailRoundTrip(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)
	raws := [][]byte{
		[]byte("From: a@example.net\r\nSubject: one\r\n\r\nFrom the start:\r\n>From quoted\r\n>>From twice\r\nFromage\r\n"),
		[]byte("Subject: no end\n\nFrom here"),
		[]byte("Subject: plain\n\nhello\n"),
	}
	refs, _, err := appendRaw(dir, now, raws, []string{"a@example.net", "", "c d@example.net"})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "2026", "2026-12-01.mbox")
	// A crash in the middle of the next batch's write.
	f, _ := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	f.WriteString("From x Tue Dec  1 09:31:00 2026\nSubject: torn\n\nhal")
	f.Close()
	more, _, err := appendRaw(dir, now, raws[2:], []string{""})
	if err != nil {
		t.Fatal(err)
	}
	refs = append(refs, more...)
	raws = append(raws, raws[2])
	for i, ref := range refs {
		if ref.path != filepath.Join("2026", "2026-12-01.mbox") {
			t.Errorf("message %d kept in %s", i, ref.path)
		}
		got, err := readRaw(dir, ref)
		if err != nil || !bytes.Equal(got, raws[i]) {
			t.Errorf("message %d reads back %q, %v; want %q", i, got, err, raws[i])
		}
	}
	// Every message starts after a "From " line at a line's start, as mbox
	// readers split them (the torn one too); a sender that is not one word
	// is MAILER-DAEMON there.
	data, _ := os.ReadFile(path)
	if n := bytes.Count(data, []byte("\nFrom ")) + 1; n != 5 || !bytes.HasPrefix(data, []byte("From a@example.net Tue Dec  1 09:30:00 2026\n")) ||
		bytes.Count(data, []byte("\nFrom MAILER-DAEMON ")) != 3 { // no sender, one with a space, and the second batch's
		t.Errorf("%d messages in the mbox:\n%s", n, data)
	}
	// An older version's file per message.
	old := filepath.Join(dir, "ab", "abcd.eml")
	os.MkdirAll(filepath.Dir(old), 0o700)
	os.WriteFile(old, raws[0], 0o600)
	if got, err := ReadRaw(dir, &questions.Question{RawPath: "ab/abcd.eml", RawOffset: -1}); err != nil || !bytes.Equal(got, raws[0]) {
		t.Errorf("an old raw file reads %q, %v", got, err)
	}
}
