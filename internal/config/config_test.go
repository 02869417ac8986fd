package config

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDefaultFileIsTheDefaults(t *testing.T) {
	c := Default()
	if c.Newsletter.Title != "Ask Jim" || c.SMTP.Concurrency != 4 || c.IMAP.Mailbox != "INBOX" {
		t.Errorf("Default() = %+v", c)
	}
	if c.Location == nil || c.Location.String() != "Europe/London" {
		t.Errorf("Location = %v", c.Location)
	}
	if c.Newsletter.Signoff != "All the best,\n\n-- Jim" {
		t.Errorf("Signoff = %q", c.Newsletter.Signoff)
	}
}

func load(t *testing.T, content string) (*Config, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), FileName)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return Load(path)
}

func TestLoadKeepsDefaults(t *testing.T) {
	c, err := load(t, "[newsletter]\ntitle = \"Ask Ana\"\n\n[smtp]\nrate = 12.5\n")
	if err != nil {
		t.Fatal(err)
	}
	if c.Newsletter.Title != "Ask Ana" || c.SMTP.Rate != 12.5 || c.SMTP.Concurrency != 4 || c.Newsletter.Timezone != "Europe/London" {
		t.Errorf("Load = %+v", c)
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct{ name, file, want string }{
		{"unknown key", "[imap]\nmailbox = \"INBOX\"\npasword_env = \"X\"\n", ":3: unknown setting imap.pasword_env"},
		{"unknown table", "[smpt]\nrate = 1\n", ":1: unknown setting smpt"},
		{"wrong type", "[smtp]\n\nconcurrency = \"four\"\n", ":3: smtp.concurrency: wrong type"},
		{"syntax", "[newsletter]\ntitle = Ask\n", ":2: "},
		{"bad security", "[imap]\nsecurity = \"ssl\"\n", `:2: imap.security "ssl" is not tls, starttls or none`},
		{"plain to remote", "[smtp]\nsecurity = \"none\"\n", `:2: smtp.security "none" sends the password in the clear`},
		{"starttls to the TLS port", "[imap]\nsecurity = \"starttls\"\n", `:2: imap.security "starttls" on port 993, IMAP's port for TLS from the start: set security = "tls", or use port 143 for starttls`},
		{"starttls to the SMTPS port", "[smtp]\nsecurity = \"starttls\"\n", `:2: smtp.security "starttls" on port 465, SMTP's port for TLS from the start: set security = "tls", or use port 587 for starttls`},
		{"long title", "[newsletter]\ntitle = \"" + strings.Repeat("x", 101) + "\"\n", `:2: newsletter.title must be one line of at most 100 characters`},
		{"bad zone", "[newsletter]\ntimezone = \"Mars/Olympus\"\n", `:2: newsletter.timezone "Mars/Olympus" is not a time zone`},
		{"bad url", "[newsletter]\nbase_url = \"ask.example.org\"\n", `:2: newsletter.base_url "ask.example.org" is not an http or https URL`},
		{"bad address", "[newsletter]\naddress = \"ask at example\"\n", `:2: newsletter.address "ask at example" is not a mail address`},
		{"bad host port", "[imap]\naddress = \"imap.example.org\"\n", `:2: imap.address "imap.example.org" is not host:port`},
		{"concurrency", "[smtp]\nconcurrency = 0\n", ":2: smtp.concurrency 0 is not between 1 and 100"},
		{"message size", "[imap]\nmax_message_mb = 40\n", ":2: imap.max_message_mb 40 is not a number of megabytes from 1 to 16"},
		{"negative rate", "[smtp]\nrate = -1\n", ":2: smtp.rate -1 is negative"},
		{"acknowledge without authserv_ids", "[newsletter]\nacknowledge = true\n", ":2: newsletter.acknowledge needs imap.authserv_ids"},
		{"bad authserv id", "[imap]\nauthserv_ids = [\"mx.google.com; dmarc=pass\"]\n", `:2: imap.authserv_ids "mx.google.com; dmarc=pass" is not an authserv-id`},
		{"soft bounce limit", "[smtp]\nsoft_bounce_limit = 0\n", ":2: smtp.soft_bounce_limit 0 is not a number of sends"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := load(t, tt.file)
			if err == nil || !strings.Contains(err.Error(), FileName+tt.want) {
				t.Errorf("Load = %v, want an error containing %q", err, FileName+tt.want)
			}
		})
	}
}

func TestPlainToLoopbackAllowed(t *testing.T) {
	c, err := load(t, "[imap]\naddress = \"127.0.0.1:1143\"\nsecurity = \"none\"\n")
	if err != nil {
		t.Fatal(err)
	}
	if c.IMAP.Security != "none" {
		t.Errorf("Security = %q", c.IMAP.Security)
	}
}

func TestSecret(t *testing.T) {
	ctx := context.Background()
	t.Setenv("MAILBAG_TEST_SECRET", "s3cret")
	if v, err := Secret(ctx, "imap password", "MAILBAG_TEST_SECRET", ""); err != nil || v != "s3cret" {
		t.Errorf("Secret(env) = %q, %v", v, err)
	}
	if v, err := Secret(ctx, "imap password", "", "printf 'from cmd\\n'"); err != nil || v != "from cmd" {
		t.Errorf("Secret(command) = %q, %v", v, err)
	}
	if _, err := Secret(ctx, "imap password", "MAILBAG_TEST_UNSET", ""); err == nil || !strings.Contains(err.Error(), "MAILBAG_TEST_UNSET is not set") {
		t.Errorf("Secret(unset env) = %v", err)
	}
	if _, err := Secret(ctx, "imap password", "", "echo nope >&2; exit 3"); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("Secret(failing command) = %v", err)
	}
	// init writes password_env; an author who sets password_command too
	// means the command.
	if v, err := Secret(ctx, "imap password", "MAILBAG_TEST_UNSET", "printf 'from cmd\\n'"); err != nil || v != "from cmd" {
		t.Errorf("Secret(env and command) = %q, %v; want the command's", v, err)
	}
	if v, err := Secret(ctx, "smtp password", "", ""); err != nil || v != "" {
		t.Errorf("Secret(none) = %q, %v", v, err)
	}
}
