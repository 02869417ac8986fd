package peers

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// Dovecot is a throwaway Dovecot IMAP server with one user and a Maildir,
// listening on 127.0.0.1: plain IMAP on Addr, implicit TLS on TLSAddr with a
// certificate signed by the CA in CAFile.
type Dovecot struct {
	Addr, TLSAddr      string
	Username, Password string
	CAFile             string
	// Maildir is the user's mail folder: messages can be dropped straight
	// into its new/ folder.
	Maildir string

	dir    string
	cmd    *exec.Cmd
	exited chan struct{} // closed once cmd has exited
	uid    int           // owner of the mail files (nobody when root)
	gid    int
	seq    atomic.Int64
}

// StartDovecot starts a Dovecot that is stopped (by its process ID) when
// the test ends.
func StartDovecot(t testing.TB) *Dovecot {
	t.Helper()
	bin := need(t, "dovecot", "dovecot-imapd")
	// Short: unix socket paths are limited to about 108 bytes.
	dir, err := os.MkdirTemp("", "dc")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil { // Dovecot's own users must enter it
		t.Fatal(err)
	}
	d := &Dovecot{Username: "ask@example.test", Password: "secret", dir: dir}
	d.Maildir = filepath.Join(dir, "mail", d.Username, "Maildir")
	if err := d.writeConfig(); err != nil {
		t.Fatal(err)
	}
	d.start(t, bin)
	return d
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func (d *Dovecot) writeConfig() error {
	port, err := freePort()
	if err != nil {
		return err
	}
	tlsPort, err := freePort()
	if err != nil {
		return err
	}
	d.Addr = fmt.Sprintf("127.0.0.1:%d", port)
	d.TLSAddr = fmt.Sprintf("127.0.0.1:%d", tlsPort)
	d.CAFile = filepath.Join(d.dir, "ca.pem")
	if err := writeCerts(d.dir); err != nil {
		return err
	}
	internalUser, internalGroup, loginUser := "dovecot", "dovecot", "dovenull"
	d.uid, d.gid = 65534, 65534
	if os.Geteuid() != 0 {
		u, err := user.Current()
		if err != nil {
			return err
		}
		g, err := user.LookupGroupId(strconv.Itoa(os.Getegid()))
		if err != nil {
			return err
		}
		internalUser, internalGroup, loginUser = u.Username, g.Name, u.Username
		d.uid, d.gid = os.Geteuid(), os.Getegid()
	}
	for _, sub := range []string{"run", "state", filepath.Join(d.Maildir, "new"), filepath.Join(d.Maildir, "cur"), filepath.Join(d.Maildir, "tmp")} {
		p := sub
		if !filepath.IsAbs(p) {
			p = filepath.Join(d.dir, sub)
		}
		if err := os.MkdirAll(p, 0o755); err != nil {
			return err
		}
	}
	if err := d.chownMail(); err != nil {
		return err
	}
	users := fmt.Sprintf("%s:{PLAIN}%s\n", d.Username, d.Password)
	if err := os.WriteFile(filepath.Join(d.dir, "users"), []byte(users), 0o644); err != nil {
		return err
	}
	conf := fmt.Sprintf(`instance_name = mailbag-test-%[1]d
base_dir = %[2]s/run
state_dir = %[2]s/state
log_path = %[2]s/dovecot.log
protocols = imap
listen = 127.0.0.1
default_internal_user = %[3]s
default_internal_group = %[4]s
default_login_user = %[5]s
mail_uid = %[6]d
mail_gid = %[7]d
first_valid_uid = %[6]d
first_valid_gid = %[7]d
ssl = yes
ssl_cert = <%[2]s/cert.pem
ssl_key = <%[2]s/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:~/Maildir
# IDLE learns of new mail from inotify; where a busy machine has run out of
# inotify instances, it falls back to this interval (30 s by default).
mailbox_idle_check_interval = 1 secs
namespace inbox {
  inbox = yes
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%%u %[2]s/users
}
userdb {
  driver = static
  args = home=%[2]s/mail/%%u
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = %[8]d
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = %[9]d
    ssl = yes
  }
}
service anvil {
  chroot =
}
`, port, d.dir, internalUser, internalGroup, loginUser, d.uid, d.gid, port, tlsPort)
	return os.WriteFile(filepath.Join(d.dir, "dovecot.conf"), []byte(conf), 0o644)
}

// chownMail gives the mail folder to the user Dovecot reads mail as.
func (d *Dovecot) chownMail() error {
	if os.Geteuid() != 0 {
		return nil
	}
	return filepath.Walk(filepath.Join(d.dir, "mail"), func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, d.uid, d.gid)
	})
}

// start starts Dovecot and waits until it greets on both its ports: a
// port some other program took meanwhile (a restart frees them a moment)
// fails the test with Dovecot's log, rather than leaving the test to
// talk to that program.
func (d *Dovecot) start(t testing.TB, bin string) {
	t.Helper()
	var log Output // written by the process while the loop below may read it
	cmd := exec.Command(bin, "-c", filepath.Join(d.dir, "dovecot.conf"), "-F")
	cmd.Stdout, cmd.Stderr = &log, &log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start dovecot: %v", err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	d.cmd, d.exited = cmd, exited
	t.Cleanup(d.Stop)
	deadline := time.Now().Add(15 * time.Second)
	for {
		err := greets(d.Addr, nil)
		if err == nil {
			err = greets(d.TLSAddr, d.tlsConfig())
		}
		if err == nil {
			return
		}
		select {
		case <-exited:
			t.Fatalf("dovecot exited on starting: %v\n%s%s", cmd.ProcessState, log.String(), d.Log())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("dovecot did not greet on %s and %s within 15s: %v\n%s%s", d.Addr, d.TLSAddr, err, log.String(), d.Log())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// greets reports whether an IMAP server answers on addr with its
// greeting, over TLS when conf is not nil.
func greets(addr string, conf *tls.Config) error {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if conf != nil {
		tc := tls.Client(c, conf)
		if err := tc.Handshake(); err != nil {
			return err
		}
		c = tc
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if !strings.HasPrefix(line, "* OK") {
		return fmt.Errorf("%s greets with %q, not an IMAP server's * OK", addr, line)
	}
	return nil
}

// tlsConfig trusts the CA that signed Dovecot's certificate.
func (d *Dovecot) tlsConfig() *tls.Config {
	pool := x509.NewCertPool()
	if pem, err := os.ReadFile(d.CAFile); err == nil {
		pool.AppendCertsFromPEM(pem)
	}
	return &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}
}

// Stop kills Dovecot and its children, by process group, and waits
// until neither port answers. Stopping it twice does nothing.
func (d *Dovecot) Stop() {
	if d.cmd == nil || d.cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-d.cmd.Process.Pid, syscall.SIGKILL)
	<-d.exited
	d.cmd = nil
	// Its children may hold the listening sockets a moment longer: a
	// restart must not take them for the new server's.
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if !answers(d.Addr) && !answers(d.TLSAddr) {
			return
		}
	}
}

// answers reports whether something accepts connections on addr.
func answers(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// Log returns what Dovecot has written to its log file so far.
func (d *Dovecot) Log() string {
	data, _ := os.ReadFile(filepath.Join(d.dir, "dovecot.log"))
	return string(data)
}

// Restart stops and starts Dovecot again on the same ports and mail.
func (d *Dovecot) Restart(t testing.TB) {
	t.Helper()
	d.Stop()
	d.start(t, need(t, "dovecot", "dovecot-imapd"))
}

// Configure adds lines to Dovecot's configuration and restarts it, on the
// same ports and mail: "imap_capability = IMAP4rev1 IDLE" makes a server
// without MOVE and UIDPLUS.
func (d *Dovecot) Configure(t testing.TB, lines string) {
	t.Helper()
	conf := filepath.Join(d.dir, "dovecot.conf")
	f, err := os.OpenFile(conf, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.WriteString("\n" + lines + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	d.Restart(t)
}

// Folder is the Maildir++ folder of the mailbox name ("Questions" is
// Maildir/.Questions), made by the first message put in it.
func (d *Dovecot) Folder(name string) string {
	return filepath.Join(d.Maildir, "."+name)
}

// Deliver drops raw messages into the Maildir's new/ folder, as a mail
// server delivering them would (a message per file, written then renamed).
func (d *Dovecot) Deliver(t testing.TB, raws ...[]byte) {
	t.Helper()
	for _, raw := range raws {
		n := d.seq.Add(1)
		name := fmt.Sprintf("%d.M%dP%d.mailbag-test", time.Now().Unix(), n, os.Getpid())
		tmp := filepath.Join(d.Maildir, "tmp", name)
		if err := os.WriteFile(tmp, raw, 0o644); err != nil {
			t.Fatal(err)
		}
		if os.Geteuid() == 0 {
			if err := os.Chown(tmp, d.uid, d.gid); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.Rename(tmp, filepath.Join(d.Maildir, "new", name)); err != nil {
			t.Fatal(err)
		}
	}
}

// SetUIDValidity gives the mailbox a new UIDVALIDITY, and every message in
// it a new UID, as happens when a mailbox is rebuilt or restored: it stops
// Dovecot, replaces its UID list and drops its index, and starts it again.
func (d *Dovecot) SetUIDValidity(t testing.TB, validity uint32) {
	t.Helper()
	d.Stop()
	for _, name := range []string{"dovecot.index", "dovecot.index.cache", "dovecot.index.log", "dovecot.list.index", "dovecot.list.index.log"} {
		os.Remove(filepath.Join(d.Maildir, name))
	}
	list := filepath.Join(d.Maildir, "dovecot-uidlist")
	if err := os.WriteFile(list, []byte(fmt.Sprintf("3 V%d N1\n", validity)), 0o644); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		if err := os.Chown(list, d.uid, d.gid); err != nil {
			t.Fatal(err)
		}
	}
	d.start(t, need(t, "dovecot", "dovecot-imapd"))
}

// writeCerts writes a CA (ca.pem) and a server certificate for 127.0.0.1
// signed by it (cert.pem, key.pem) into dir.
func writeCerts(dir string) error {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "mailbag test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return err
	}
	caCert, _ := x509.ParseCertificate(caDER)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
	if err != nil {
		return err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	for name, block := range map[string]*pem.Block{
		"ca.pem":   {Type: "CERTIFICATE", Bytes: caDER},
		"cert.pem": {Type: "CERTIFICATE", Bytes: der},
		"key.pem":  {Type: "EC PRIVATE KEY", Bytes: keyDER},
	} {
		if err := os.WriteFile(filepath.Join(dir, name), pem.EncodeToMemory(block), 0o644); err != nil {
			return err
		}
	}
	return nil
}
