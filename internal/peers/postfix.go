package peers

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Postfix is a private Postfix instance on 127.0.0.1, as stock as Debian
// ships it, that delivers the domain example.test into Maildirs (those of
// a Dovecot, so that its mail can be read over IMAP) and bounces with real
// delivery status reports: unknown users of example.test after accepting
// their mail (5.1.1), and every other domain (5.4.4 Host or domain name
// not found). With SMTPUTF8 on (Postfix's default) a client that asks for
// it gets RFC 6533 reports; off, RFC 3464.
type Postfix struct {
	Addr string // SMTP, no TLS, no authentication: the loopback network may relay
	dir  string
}

// PostfixOptions say how to start a Postfix.
type PostfixOptions struct {
	// Mailboxes maps each address of example.test that exists to the
	// Maildir it is delivered to (a Dovecot's Maildir, say).
	Mailboxes map[string]string
	// SMTPUTF8 off makes Postfix write RFC 3464 reports even to clients
	// that ask for SMTPUTF8.
	SMTPUTF8Off bool
}

// StartPostfix starts a Postfix that is stopped when the test ends. It
// needs root (Postfix's master runs as root) and Debian's postfix package.
func StartPostfix(t testing.TB, o PostfixOptions) *Postfix {
	t.Helper()
	bin := need(t, "postfix", "postfix")
	if os.Geteuid() != 0 {
		if os.Getenv("CI") != "" {
			t.Fatal("a private Postfix needs root")
		}
		t.Skip("a private Postfix needs root")
	}
	dir, err := os.MkdirTemp("", "pf")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	p := &Postfix{dir: dir}
	if err := p.writeConfig(o); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-c", dir, "start").CombinedOutput()
	if err != nil {
		t.Fatalf("postfix start: %v\n%s", err, out)
	}
	t.Cleanup(func() { p.stop(bin) })
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", p.Addr, time.Second)
		if err == nil {
			c.Close()
			return p
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "maillog"))
			t.Fatalf("postfix did not listen on %s within 15s: %v\n%s", p.Addr, err, log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Log returns what Postfix logged so far.
func (p *Postfix) Log() string {
	b, _ := os.ReadFile(filepath.Join(p.dir, "maillog"))
	return string(b)
}

func (p *Postfix) stop(bin string) {
	_ = exec.Command(bin, "-c", p.dir, "stop").Run()
	// The master's PID, in case stop could not reach it.
	if b, err := os.ReadFile(filepath.Join(p.dir, "queue", "pid", "master.pid")); err == nil {
		var pid int
		if _, err := fmt.Sscan(strings.TrimSpace(string(b)), &pid); err == nil && pid > 0 {
			if proc, err := os.FindProcess(pid); err == nil {
				_ = proc.Kill()
			}
		}
	}
}

func (p *Postfix) writeConfig(o PostfixOptions) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	p.Addr = fmt.Sprintf("127.0.0.1:%d", port)
	for _, sub := range []string{"queue", "data"} {
		if err := os.MkdirAll(filepath.Join(p.dir, sub), 0o755); err != nil {
			return err
		}
	}
	if err := os.Chmod(p.dir, 0o755); err != nil {
		return err
	}
	if out, err := exec.Command("chown", "postfix", filepath.Join(p.dir, "data")).CombinedOutput(); err != nil {
		return fmt.Errorf("chown postfix: %v: %s", err, out)
	}
	var boxes strings.Builder
	for addr, maildir := range o.Mailboxes {
		fmt.Fprintf(&boxes, "%s %s/\n", addr, strings.TrimRight(maildir, "/"))
	}
	if err := os.WriteFile(filepath.Join(p.dir, "vmailbox"), []byte(boxes.String()), 0o644); err != nil {
		return err
	}
	utf8 := "yes"
	if o.SMTPUTF8Off {
		utf8 = "no"
	}
	main := fmt.Sprintf(`compatibility_level = 3.6
queue_directory = %[1]s/queue
data_directory = %[1]s/data
meta_directory = /etc/postfix
shlib_directory = /usr/lib/postfix
daemon_directory = /usr/lib/postfix/sbin
command_directory = /usr/sbin
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = mx.example.test
mydomain = example.test
mydestination =
mynetworks = 127.0.0.0/8
maillog_file = %[1]s/maillog
maillog_file_prefixes = %[1]s
smtpd_reject_unlisted_recipient = no
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
virtual_mailbox_domains = example.test
virtual_mailbox_base = /
virtual_mailbox_maps = texthash:%[1]s/vmailbox
virtual_uid_maps = static:65534
virtual_gid_maps = static:65534
virtual_minimum_uid = 1
default_transport = error:5.4.4 Host or domain name not found
relay_transport = error:5.4.4 Host or domain name not found
alias_maps =
alias_database =
local_recipient_maps =
biff = no
smtputf8_enable = %[2]s
`, p.dir, utf8)
	if err := os.WriteFile(filepath.Join(p.dir, "main.cf"), []byte(main), 0o644); err != nil {
		return err
	}
	master := fmt.Sprintf(`%s inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
virtual   unix  -       n       n       -       -       virtual
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
`, p.Addr)
	return os.WriteFile(filepath.Join(p.dir, "master.cf"), []byte(master), 0o644)
}
