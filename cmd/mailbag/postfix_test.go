package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"mailbag/internal/peers"
)

// TestRealBouncesThroughPostfix sends a post through a stock Postfix to
// three subscribers: one whose mailbox exists, one unknown user of the
// local domain (Postfix accepts, then bounces: 5.1.1) and one at a domain
// that does not exist (5.4.4). Postfix's delivery reports land in the
// questions mailbox in Dovecot, `ingest` reads them over IMAP, and the
// dead mailbox is bounced; the missing domain gets a soft failure, shown by
// `subscribers list`; the real reader is untouched. With SMTPUTF8 on
// (Postfix's default, and go-mail asks for it) the reports are RFC 6533's;
// off, RFC 3464's: both are read.
func TestRealBouncesThroughPostfix(t *testing.T) {
	bin := binary(t)
	for _, tc := range []struct {
		name string
		off  bool
		want string // the report's media type, as Postfix writes it
	}{
		{"SMTPUTF8", false, "message/global-delivery-status"},
		{"RFC3464", true, "message/delivery-status"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := peers.StartDovecot(t)
			readerBox := filepath.Join(d.Maildir, "..", "..", "reader-Maildir")
			if err := os.MkdirAll(readerBox, 0o755); err != nil {
				t.Fatal(err)
			}
			if os.Geteuid() == 0 {
				if err := os.Chown(readerBox, 65534, 65534); err != nil {
					t.Fatal(err)
				}
			}
			pf := peers.StartPostfix(t, peers.PostfixOptions{
				Mailboxes:   map[string]string{d.Username: d.Maildir, "reader@example.test": readerBox},
				SMTPUTF8Off: tc.off,
			})
			h := dovecotHome(t, d)
			setting(t, h, "newsletter", "address", strconv.Quote(d.Username))
			setting(t, h, "smtp", "address", strconv.Quote(pf.Addr))
			setting(t, h, "smtp", "security", `"none"`)
			setting(t, h, "smtp", "username", `""`)
			run := runner(t, bin, h, d.Password)
			run("import", "../../testdata/seed")
			run("subscribers", "add", "reader@example.test", "gone@example.test", "someone@nowhere.invalid")
			if out := run("send", "--yes", "a-product-manager-stepped-on-my-toe"); !strings.Contains(out, "sent 3, failed 0") {
				t.Fatalf("send: %s", out)
			}
			reports := waitForMail(t, filepath.Join(d.Maildir, "new"), 2)
			for _, r := range reports {
				if !strings.Contains(r, "Content-Type: "+tc.want) {
					t.Errorf("Postfix's report is not %s:\n%s", tc.want, r)
				}
			}
			out := run("ingest")
			if !strings.Contains(out, "ingested: 0 new, 2 ignored, 0 failed") || !strings.Contains(out, "Marked gone@example.test bounced") {
				t.Fatalf("ingest: %s", out)
			}
			if strings.Contains(out, "someone@nowhere.invalid") || strings.Contains(out, "reader@example.test") {
				t.Errorf("ingest marked more than the dead mailbox: %s", out)
			}
			list := run("subscribers", "list", "--status", "all")
			for _, want := range []string{`(?m)^gone@example\.test +bounced`, `(?m)^reader@example\.test +active +0\b`, `(?m)^someone@nowhere\.invalid +active +1\b`} {
				if !regexp.MustCompile(want).MatchString(list) {
					t.Errorf("subscribers list does not match %s:\n%s", want, list)
				}
			}
			if sends := run("sends", "--json"); !strings.Contains(sends, `"sent": 3,`) || !strings.Contains(sends, `"bounced": 1,`) {
				t.Errorf("sends does not count the bounce:\n%s", sends)
			}
			if got := waitForMail(t, filepath.Join(readerBox, "new"), 1); len(got) != 1 {
				t.Errorf("the reader got %d messages", len(got))
			}
		})
	}
}

// waitForMail waits until the Maildir folder dir holds n messages, for up
// to 30 s, and returns them.
func waitForMail(t *testing.T, dir string, n int) []string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		entries, _ := os.ReadDir(dir)
		if len(entries) >= n {
			var out []string
			for _, e := range entries {
				b, err := os.ReadFile(filepath.Join(dir, e.Name()))
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, string(b))
			}
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d messages in %s after 30 s", len(entries), n, dir)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
