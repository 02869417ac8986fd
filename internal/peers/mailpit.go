package peers

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// Mailpit is a Mailpit server (an SMTP server that keeps what it gets, with
// an HTTP API to read it) on 127.0.0.1, started for a test.
type Mailpit struct {
	SMTPAddr string
	HTTPAddr string
	cmd      *exec.Cmd
}

// StartMailpit starts Mailpit; it is stopped (by process ID) when the test
// ends.
//
// Its two ports are picked free, then given to Mailpit: between the two, a
// listener of another test may take one, and Mailpit exits. So it is ready
// only when its own API answers while it runs, and started again on other
// ports, three times at most, when it exited.
func StartMailpit(t testing.TB) *Mailpit {
	t.Helper()
	bin := needMailpit(t)
	var err error
	for range 3 {
		var m *Mailpit
		if m, err = startMailpit(t, bin); err == nil {
			return m
		}
	}
	t.Fatal(err)
	return nil
}

// startMailpit starts Mailpit on two free ports and waits until it answers.
func startMailpit(t testing.TB, bin string) (*Mailpit, error) {
	t.Helper()
	smtpPort, err := freePort()
	if err != nil {
		return nil, err
	}
	httpPort, err := freePort()
	if err != nil {
		return nil, err
	}
	m := &Mailpit{SMTPAddr: fmt.Sprintf("127.0.0.1:%d", smtpPort), HTTPAddr: fmt.Sprintf("127.0.0.1:%d", httpPort)}
	m.cmd = exec.Command(bin, "--smtp", m.SMTPAddr, "--listen", m.HTTPAddr, "--database", filepath.Join(t.TempDir(), "mp.db"),
		"--max", "0", "--smtp-auth-accept-any", "--smtp-auth-allow-insecure", "--disable-version-check",
		"--smtp-disable-rdns", "--smtp-max-recipients", "1000", "--quiet")
	m.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	m.cmd.Stdout, m.cmd.Stderr = os.Stderr, os.Stderr
	if err := m.cmd.Start(); err != nil {
		t.Fatalf("start mailpit: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- m.cmd.Wait() }()
	t.Cleanup(func() {
		_ = syscall.Kill(-m.cmd.Process.Pid, syscall.SIGKILL)
		<-exited
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		select {
		case err := <-exited:
			exited <- err
			return nil, fmt.Errorf("mailpit on %s and %s exited: %v", m.SMTPAddr, m.HTTPAddr, err)
		default:
		}
		c, err1 := net.DialTimeout("tcp", m.SMTPAddr, time.Second)
		if err1 == nil {
			c.Close()
		}
		err2 := m.answers()
		if err1 == nil && err2 == nil {
			return m, nil
		}
		if time.Now().After(deadline) {
			t.Fatalf("mailpit did not listen within 20s: %v %v", err1, err2)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// answers says whether Mailpit's API answers as Mailpit's.
func (m *Mailpit) answers() error {
	resp, err := http.Get("http://" + m.HTTPAddr + "/api/v1/info")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var info struct {
		Version string `json:"Version"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&info); err != nil || resp.StatusCode != http.StatusOK || info.Version == "" {
		return fmt.Errorf("%s is not mailpit's API: %s, %v", m.HTTPAddr, resp.Status, err)
	}
	return nil
}

// needMailpit finds the mailpit program: on the PATH, or where go install
// puts it.
func needMailpit(t testing.TB) string {
	t.Helper()
	if p, err := exec.LookPath("mailpit"); err == nil {
		return p
	}
	if gobin, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		p := filepath.Join(string(trimNL(gobin)), "bin", "mailpit")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return need(t, "mailpit", "(go install github.com/axllent/mailpit@v1.33.1)")
}

func trimNL(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

// MailpitSummary is one message in Mailpit's list.
type MailpitSummary struct {
	ID        string `json:"ID"`
	MessageID string `json:"MessageID"`
	To        []struct {
		Address string `json:"Address"`
	} `json:"To"`
	Subject string `json:"Subject"`
}

// Messages lists every message Mailpit holds, newest first.
func (m *Mailpit) Messages(t testing.TB) []MailpitSummary {
	t.Helper()
	var all []MailpitSummary
	for start := 0; ; start += 500 {
		var page struct {
			Total    int              `json:"total"`
			Messages []MailpitSummary `json:"messages"`
		}
		m.get(t, fmt.Sprintf("/api/v1/messages?limit=500&start=%d", start), &page)
		all = append(all, page.Messages...)
		if len(page.Messages) == 0 || len(all) >= page.Total {
			return all
		}
	}
}

// Total is how many messages Mailpit holds.
func (m *Mailpit) Total(t testing.TB) int {
	t.Helper()
	var page struct {
		Total int `json:"total"`
	}
	m.get(t, "/api/v1/messages?limit=1", &page)
	return page.Total
}

// MailpitMessage is one message, read whole.
type MailpitMessage struct {
	Text, HTML string
}

// Message reads one message (its ID, or "latest").
func (m *Mailpit) Message(t testing.TB, id string) MailpitMessage {
	t.Helper()
	var msg MailpitMessage
	m.get(t, "/api/v1/message/"+id, &msg)
	return msg
}

// Headers reads the header of one message.
func (m *Mailpit) Headers(t testing.TB, id string) map[string][]string {
	t.Helper()
	h := map[string][]string{}
	m.get(t, "/api/v1/message/"+id+"/headers", &h)
	return h
}

// HTMLCheck is Mailpit's report on how well mail clients support the
// HTML of one message: the percentage of clients that support all of it,
// and the unsupported features it found, with their share.
type HTMLCheck struct {
	Supported float64
	Warnings  []string
}

// CheckHTML runs Mailpit's HTML check on one message.
func (m *Mailpit) CheckHTML(t testing.TB, id string) HTMLCheck {
	t.Helper()
	var r struct {
		Total struct {
			Supported float64 `json:"Supported"`
		} `json:"Total"`
		Warnings []struct {
			Title   string `json:"Title"`
			Results []struct {
				Support string `json:"Support"`
			} `json:"Results"`
		} `json:"Warnings"`
	}
	m.get(t, "/api/v1/message/"+id+"/html-check", &r)
	out := HTMLCheck{Supported: r.Total.Supported}
	for _, w := range r.Warnings {
		out.Warnings = append(out.Warnings, w.Title)
	}
	return out
}

func (m *Mailpit) get(t testing.TB, path string, v any) {
	t.Helper()
	resp, err := http.Get("http://" + m.HTTPAddr + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("mailpit %s: %s", path, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("mailpit %s: %v", path, err)
	}
}
