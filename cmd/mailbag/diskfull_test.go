package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"golang.org/x/sys/unix"

	"mailbag/internal/memserver"
	"mailbag/internal/peers"
)

// condition answers the scripts' own conditions: [root] holds when the
// tests run as root; under CI a script that asks for it fails without.
func condition(cond string) (bool, error) {
	if cond != "root" {
		return false, fmt.Errorf("unknown condition %q", cond)
	}
	if os.Getuid() != 0 && os.Getenv("CI") != "" {
		return false, fmt.Errorf("this script needs root (to mount a tmpfs): run the tests as root, as CI does")
	}
	return os.Getuid() == 0, nil
}

// cmdSmallDisk mounts a tmpfs of SIZE (mount's size= option: 16m) at
// DIR, unmounted when the script ends; it needs root ([root]).
//
//	smalldisk DIR SIZE
func cmdSmallDisk(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: smalldisk DIR SIZE")
	}
	dir := ts.MkAbs(args[0])
	ts.Check(os.MkdirAll(dir, 0o755))
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+args[1], "tmpfs", dir).CombinedOutput(); err != nil {
		ts.Fatalf("mount: %v\n%s", err, out)
	}
	ts.Defer(func() { exec.Command("umount", "-l", dir).Run() })
}

// cmdFill fills the filesystem of DIR with DIR/.filler until BYTES are
// left free (as statfs counts them); unfill removes the filler.
//
//	fill DIR BYTES
//	unfill DIR
func cmdFill(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: fill DIR BYTES")
	}
	leave, err := strconv.ParseInt(args[1], 10, 64)
	ts.Check(err)
	dir := ts.MkAbs(args[0])
	var st unix.Statfs_t
	ts.Check(unix.Statfs(dir, &st))
	free := int64(st.Bavail) * int64(st.Bsize)
	f, err := os.OpenFile(filepath.Join(dir, ".filler"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	ts.Check(err)
	defer f.Close()
	chunk := make([]byte, 64<<10)
	for n := free - leave; n > 0; n -= int64(len(chunk)) {
		if _, err := f.Write(chunk[:min(int64(len(chunk)), n)]); err != nil {
			ts.Fatalf("fill: %v", err)
		}
	}
}

func cmdUnfill(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: unfill DIR")
	}
	ts.Check(os.Remove(filepath.Join(ts.MkAbs(args[0]), ".filler")))
}

// cmdDeliverMany puts N questions of about SIZE bytes each into the
// script's IMAP server's INBOX, received now:
//
//	delivermany N SIZE
func cmdDeliverMany(ts *testscript.TestScript, neg bool, args []string) {
	v, ok := servers.Load(ts.Getenv("WORK"))
	if neg || !ok || len(args) != 2 {
		ts.Fatalf("usage: imapserver HOME first, then delivermany N SIZE")
	}
	n, err := strconv.Atoi(args[0])
	ts.Check(err)
	size, err := strconv.Atoi(args[1])
	ts.Check(err)
	m := v.(*memserver.IMAP)
	line := strings.Repeat("How do I keep my team's on-call week humane? ", 2) + "\r\n"
	batch := time.Now().UnixNano()
	for i := range n {
		body := strings.Repeat(line, max(1, size/len(line)))
		raw := fmt.Sprintf("From: Reader %d <r%d@example.net>\r\nTo: ask@example.org\r\nSubject: Question %d\r\nMessage-ID: <many-%d-%d@example.net>\r\nDate: %s\r\n\r\n%s",
			i, i, i, batch, i, time.Now().UTC().Format(time.RFC1123Z), body)
		ts.Check(m.DeliverAt([]byte(raw), time.Now()))
	}
}

// cmdSendCounts checks the summary a send printed (its stdout): sent,
// failed, remaining and unconfirmed add up to N, the subscribers it had
// to mail.
//
//	sendcounts N
func cmdSendCounts(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: sendcounts N")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	out := ts.ReadFile("stdout")
	var sent, failed, remaining, unconfirmed int
	if _, err := fmt.Sscanf(out, "sent %d, failed %d, remaining %d", &sent, &failed, &remaining); err != nil {
		ts.Fatalf("no send summary in %q: %v", out, err)
	}
	if i := strings.Index(out, " unconfirmed:"); i >= 0 {
		line := out[strings.LastIndexByte(out[:i], '\n')+1 : i]
		unconfirmed, err = strconv.Atoi(line)
		ts.Check(err)
	}
	if got := sent + failed + remaining + unconfirmed; got != want {
		ts.Fatalf("sent %d + failed %d + remaining %d + unconfirmed %d = %d, want %d", sent, failed, remaining, unconfirmed, got, want)
	}
}

// cmdPost POSTs a form to a URL, from the visitor FROM when given (an
// X-Forwarded-For, for a serve behind a trusted proxy), and puts the
// body on stdout; with !, the status must not be 200:
//
//	post URL FORM [FROM]
func cmdPost(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 || len(args) > 3 {
		ts.Fatalf("usage: post URL FORM [FROM]")
	}
	req, err := http.NewRequest("POST", args[0], strings.NewReader(args[1]))
	ts.Check(err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if len(args) == 3 {
		req.Header.Set("X-Forwarded-For", args[2])
	}
	resp, err := http.DefaultClient.Do(req)
	ts.Check(err)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	ts.Check(err)
	if (resp.StatusCode != http.StatusOK) != neg {
		ts.Fatalf("POST %s: %s\n%s", args[0], resp.Status, body)
	}
	_, _ = ts.Stdout().Write(body)
}

// cmdWaitMail waits up to 20 s for the script's SMTP server to have N
// messages, then says how many it has (as mailcount):
//
//	waitmail N
func cmdWaitMail(ts *testscript.TestScript, neg bool, args []string) {
	v, ok := sinks.Load(ts.Getenv("WORK"))
	if neg || !ok || len(args) != 1 {
		ts.Fatalf("usage: smtpserver HOME first, then waitmail N")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	deadline := time.Now().Add(20 * time.Second)
	for v.(*peers.SMTPSink).Count() < want && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if got := v.(*peers.SMTPSink).Count(); got != want {
		ts.Fatalf("the SMTP server got %d messages, want %d", got, want)
	}
}
