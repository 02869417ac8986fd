package main

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"mailbag/internal/home"
	"mailbag/internal/peers"
	"mailbag/internal/sqlitedb"
)

// TestSendSurvivesSIGKILL kills `mailbag send` several times while it mails
// 2,000 subscribers through Mailpit, then lets it finish: nobody gets the
// post twice, every subscriber is recorded as either sent or unconfirmed,
// and every message recorded as sent arrived. (An unconfirmed message may have arrived: the server can
// accept it just before the kill, before its answer is recorded. So what
// arrived plus what is unconfirmed is 2,000 plus those few; each
// connection leaves at most one message in that state per kill.)
func TestSendSurvivesSIGKILL(t *testing.T) {
	skipWhenShort(t)
	const subscribers = 2000
	bin := binary(t)
	mp := peers.StartMailpit(t)
	h := sendHome(t, bin, mp.SMTPAddr, subscribers)
	run := func(args ...string) (string, error) {
		cmd, out := mailbag(bin, h, "", args...)
		err := cmd.Run()
		return out.String(), err
	}

	const post = "a-product-manager-stepped-on-my-toe"
	for kill, at := range []int{1, 300, 900, 1500} {
		cmd, out := mailbag(bin, h, "", "send", "--yes", post)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(60 * time.Second)
		for mp.Total(t) < at {
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("kill %d: Mailpit had fewer than %d messages after 60s\n%s", kill, at, out)
			}
			time.Sleep(5 * time.Millisecond)
		}
		wait := time.Duration(rand.IntN(40)) * time.Millisecond // land anywhere in a batch
		time.Sleep(wait)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()
		t.Logf("kill %d: %v after Mailpit reached %d, Mailpit at %d", kill, wait, at, mp.Total(t))
	}
	out, err := run("send", "--yes", post)
	if err != nil {
		t.Fatalf("final run: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(h.State(), "send.journal")); !os.IsNotExist(err) {
		t.Errorf("a finished run left its journal: %v", err)
	}
	unconfirmed := 0
	if m := regexp.MustCompile(`(\d+) unconfirmed`).FindStringSubmatch(out); m != nil {
		unconfirmed, _ = strconv.Atoi(m[1])
	}
	msgs := mp.Messages(t)
	db, err := sqlitedb.Open(h.Database())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	inFlight := withDelivery(t, db, "sending")
	if len(inFlight) != unconfirmed {
		t.Errorf("reported %d unconfirmed, the record has %d", unconfirmed, len(inFlight))
	}
	if kills := 4; unconfirmed > kills*4 {
		t.Errorf("%d unconfirmed after %d kills of 4 connections: more than one in flight per connection", unconfirmed, kills)
	}
	got := map[string]int{}
	for _, m := range msgs {
		for _, to := range m.To {
			got[to.Address]++
		}
	}
	for to, n := range got {
		if n != 1 {
			t.Errorf("%s got %d messages", to, n)
		}
	}
	covered := map[string]bool{}
	for to := range got {
		covered[to] = true
	}
	for _, e := range inFlight {
		covered[e] = true
	}
	if len(covered) != subscribers {
		t.Errorf("%d subscribers received it or are reported unconfirmed, want all %d\n%s", len(covered), subscribers, out)
	}
	// The record: each subscriber either sent or unconfirmed, and every
	// message it calls sent arrived.
	sent := withDelivery(t, db, "sent")
	if len(sent)+len(inFlight) != subscribers {
		t.Errorf("the record has %d sent and %d unconfirmed, want %d in all", len(sent), len(inFlight), subscribers)
	}
	for _, e := range sent {
		if got[e] == 0 {
			t.Errorf("%s is recorded as sent but did not arrive", e)
		}
	}
	t.Logf("%d received, %d unconfirmed", len(msgs), unconfirmed)
}

// sendHome is a home with the seed post and n subscribers
// (reader0@example.net, ...), mailing through the SMTP server at addr.
func sendHome(t *testing.T, bin, addr string, n int) home.Home {
	t.Helper()
	h, err := home.Init(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	settings := fmt.Sprintf("[smtp]\naddress = %q\nsecurity = \"none\"\nusername = \"\"\npassword_env = \"\"\n", addr)
	if err := os.WriteFile(h.Settings(), []byte(settings), 0o644); err != nil {
		t.Fatal(err)
	}
	var csv strings.Builder
	csv.WriteString("email\n")
	for i := range n {
		fmt.Fprintf(&csv, "reader%d@example.net\n", i)
	}
	list := filepath.Join(t.TempDir(), "list.csv")
	if err := os.WriteFile(list, []byte(csv.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"import", "../../testdata/seed"}, {"subscribers", "import", list}} {
		cmd, out := mailbag(bin, h, "", args...)
		if err := cmd.Run(); err != nil {
			t.Fatalf("mailbag %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		if args[0] == "subscribers" && !strings.Contains(out.String(), fmt.Sprintf("%d added", n)) {
			t.Fatalf("mailbag %s did not add all %d:\n%s", strings.Join(args, " "), n, out)
		}
	}
	return h
}

// withDelivery lists the addresses whose delivery has status.
func withDelivery(t *testing.T, db *sql.DB, status string) []string {
	t.Helper()
	rows, err := db.Query(`SELECT s.email FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id WHERE d.status = ?`, status)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var emails []string
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			t.Fatal(err)
		}
		emails = append(emails, e)
	}
	return emails
}
