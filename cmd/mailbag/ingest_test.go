package main

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"mailbag/internal/home"
	"mailbag/internal/lockfile"
	"mailbag/internal/peers"
	"mailbag/internal/sqlitedb"
	"mailbag/questions"
)

// binary builds mailbag for a test that runs it as a real process.
func binary(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "mailbag")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// dovecotHome makes a newsletter home whose [imap] settings point at d.
func dovecotHome(t *testing.T, d *peers.Dovecot) home.Home {
	t.Helper()
	h, err := home.Init(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	setting(t, h, "imap", "address", strconv.Quote(d.TLSAddr))
	setting(t, h, "imap", "ca_file", strconv.Quote(d.CAFile))
	setting(t, h, "imap", "username", strconv.Quote(d.Username))
	setting(t, h, "imap", "password_env", `"MAILBAG_TEST_IMAP_PASSWORD"`)
	return h
}

// mailbag prepares the mailbag binary bin to run on home h with args.
func mailbag(bin string, h home.Home, password string, args ...string) (*exec.Cmd, *peers.Output) {
	var out peers.Output
	cmd := exec.Command(bin, append([]string{"--home", h.Dir}, args...)...)
	cmd.Env = append(os.Environ(), "MAILBAG_TEST_IMAP_PASSWORD="+password)
	cmd.Stdout, cmd.Stderr = &out, &out
	return cmd, &out
}

func countQuestions(t *testing.T, db *sql.DB) (total, distinct int) {
	t.Helper()
	if err := db.QueryRow(`SELECT count(*), count(DISTINCT message_key) FROM questions`).Scan(&total, &distinct); err != nil {
		if strings.Contains(err.Error(), "no such table") {
			return 0, 0
		}
		t.Fatal(err)
	}
	return total, distinct
}

// TestIngestSurvivesSIGKILL kills `mailbag ingest` several times while it
// reads 10,000 messages from Dovecot, then lets it finish: every message is
// stored exactly once.
func TestIngestSurvivesSIGKILL(t *testing.T) {
	skipWhenShort(t)
	const messages = 10_000
	bin := binary(t)
	d := peers.StartDovecot(t)
	h := dovecotHome(t, d)
	for i := range messages {
		d.Deliver(t, fmt.Appendf(nil, "From: Reader %d <r%d@example.net>\r\nSubject: Question %d\r\nMessage-ID: <kill-%d@example.net>\r\n\r\nWhat about %d?\r\n", i, i, i, i, i))
	}
	// The database is created by the first run; wait for it, read-only.
	var db *sql.DB
	for kill, at := range []int{1, 1500, 4000, 7000} {
		cmd, out := mailbag(bin, h, d.Password, "ingest")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(60 * time.Second)
		for {
			if db == nil {
				if _, err := os.Stat(h.Database()); err == nil {
					if db, err = sqlitedb.Open(h.Database()); err != nil {
						t.Fatal(err)
					}
					defer db.Close()
				}
			}
			if db != nil {
				if n, _ := countQuestions(t, db); n >= at {
					break
				}
			}
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("kill %d: fewer than %d questions after 60s\n%s", kill, at, out)
			}
			time.Sleep(2 * time.Millisecond)
		}
		// Then a little more, so that the kill lands anywhere in a batch:
		// between raw files, rows and the checkpoint.
		wait := time.Duration(rand.IntN(30)) * time.Millisecond
		time.Sleep(wait)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()
		n, _ := countQuestions(t, db)
		t.Logf("kill %d: %v after %d questions, at %d questions", kill, wait, at, n)
	}
	cmd, out := mailbag(bin, h, d.Password, "ingest")
	if err := cmd.Run(); err != nil {
		t.Fatalf("final run: %v\n%s", err, out)
	}
	total, distinct := countQuestions(t, db)
	if total != messages || distinct != messages {
		t.Errorf("%d questions, %d distinct; want %d of each", total, distinct, messages)
	}
	// Each question's raw message reads back, its own.
	rows, err := db.Query(`SELECT message_key, raw_path, raw_offset, raw_size FROM questions`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var key string
		var q questions.Question
		if err := rows.Scan(&key, &q.RawPath, &q.RawOffset, &q.RawSize); err != nil {
			t.Fatal(err)
		}
		if raw, err := rawAt(h.Mail(), &q); err != nil || !strings.Contains(string(raw), "<"+key+">") {
			t.Errorf("the raw message of %s: %q, %v", key, raw, err)
		}
	}
	if !strings.Contains(out.String(), "ingested: ") {
		t.Errorf("no summary: %s", out)
	}
}

func TestIngestErrors(t *testing.T) {
	bin := binary(t)
	d := peers.StartDovecot(t)
	h := dovecotHome(t, d)
	d.Deliver(t, []byte("From: a@example.net\r\nSubject: Hi\r\nMessage-ID: <e1@example.net>\r\n\r\nA question?\r\n"))

	cmd, out := mailbag(bin, h, "wrong", "ingest")
	if err := cmd.Run(); err == nil || !strings.Contains(out.String(), "mailbag: ingest: login refused by "+d.TLSAddr+" for "+d.Username) {
		t.Errorf("wrong password: %v\n%s", err, out)
	}

	// A second ingest on the same home says so and exits.
	lock, err := lockfile.Acquire(filepath.Join(h.State(), "ingest.lock"))
	if err != nil {
		t.Fatal(err)
	}
	cmd, out = mailbag(bin, h, d.Password, "ingest")
	if err := cmd.Run(); err == nil || !strings.Contains(out.String(), "another mailbag ingest is running on this home") {
		t.Errorf("second ingest: %v\n%s", err, out)
	}
	lock.Release()

	cmd, out = mailbag(bin, h, d.Password, "ingest")
	if err := cmd.Run(); err != nil || !strings.Contains(out.String(), "ingested: 1 new, 0 ignored, 0 failed") {
		t.Errorf("ingest: %v\n%s", err, out)
	}

	// The server gone: a clear error and a non-zero exit.
	d.Stop()
	cmd, out = mailbag(bin, h, d.Password, "ingest")
	err = cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.Contains(out.String(), "mailbag: ingest: connect to "+d.TLSAddr) {
		t.Errorf("server gone: %v\n%s", err, out)
	}
}

// TestIngestWatchStopsCleanly: --watch picks up a new message and stops on
// SIGTERM with exit code 0.
func TestIngestWatchStopsCleanly(t *testing.T) {
	bin := binary(t)
	d := peers.StartDovecot(t)
	h := dovecotHome(t, d)
	cmd, out := mailbag(bin, h, d.Password, "ingest", "--watch")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	d.Deliver(t, []byte("From: w@example.net\r\nSubject: Watched\r\nMessage-ID: <w1@example.net>\r\n\r\nSeen live?\r\n"))
	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(out.String(), `level=INFO msg="ingested: 1 new`) { // a service's log, one stream
		if time.Now().After(deadline) {
			t.Fatalf("no new question within 15s:\n%s", out)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("after SIGTERM: %v\n%s", err, out)
	}
}

// rawAt is what the day's mbox holds where question q's raw message is
// recorded to be.
func rawAt(mailDir string, q *questions.Question) ([]byte, error) {
	f, err := os.Open(filepath.Join(mailDir, q.RawPath))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	raw := make([]byte, q.RawSize)
	_, err = f.ReadAt(raw, q.RawOffset)
	return raw, err
}
