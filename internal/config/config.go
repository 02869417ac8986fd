// Package config is mailbag's settings: the mailbag.toml of a newsletter
// home, read strictly (an unknown key or a value of the wrong type is an
// error naming the key and its line), with a default for every key, and
// checked once when loaded.
//
// Secrets are never in the file, only named: an environment variable or a
// command that prints them (see Secret).
package config

import (
	_ "embed"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/BurntSushi/toml"
	"golang.org/x/text/language"
)

// MaxMessageMB is the largest imap.max_message_mb: ingest holds at most
// three batches of mail of at most this size each.
const MaxMessageMB = 16

// FileName is the settings file's name in a newsletter home.
const FileName = "mailbag.toml"

// DefaultFile is the settings file `mailbag init` writes: every key with
// its default value and a comment.
//
//go:embed default.toml
var DefaultFile []byte

// Config is the whole of the settings.
type Config struct {
	Newsletter Newsletter `toml:"newsletter"`
	IMAP       IMAP       `toml:"imap"`
	SMTP       SMTP       `toml:"smtp"`
	Serve      Serve      `toml:"serve"`

	// Location is the time zone named by Newsletter.Timezone, set by Load.
	Location *time.Location `toml:"-"`
}

// Newsletter is the [newsletter] table.
type Newsletter struct {
	Title        string `toml:"title"`
	BaseURL      string `toml:"base_url"`
	Address      string `toml:"address"`
	Author       string `toml:"author"`
	Timezone     string `toml:"timezone"`
	Language     string `toml:"language"`
	Signoff      string `toml:"signoff"`
	ServerURL    string `toml:"server_url"`
	NotifyAskers bool   `toml:"notify_askers"`
	Acknowledge  bool   `toml:"acknowledge"`
}

// IMAP is the [imap] table: where questions arrive.
type IMAP struct {
	Address         string `toml:"address"`
	Security        string `toml:"security"`
	Username        string `toml:"username"`
	PasswordEnv     string `toml:"password_env"`
	PasswordCommand string `toml:"password_command"`
	Mailbox         string `toml:"mailbox"`
	CAFile          string `toml:"ca_file"`
	AfterIngest     string `toml:"after_ingest"`
	MoveTo          string `toml:"move_to"`
	MaxMessageMB    int    `toml:"max_message_mb"` // at most MaxMessageMB
	// AuthservIDs are the authserv-ids (RFC 8601) of the receiving
	// server's Authentication-Results: only its verdicts are believed.
	AuthservIDs []string `toml:"authserv_ids"`
}

// SMTP is the [smtp] table: how list mail leaves.
type SMTP struct {
	Address         string  `toml:"address"`
	Security        string  `toml:"security"`
	Username        string  `toml:"username"`
	PasswordEnv     string  `toml:"password_env"`
	PasswordCommand string  `toml:"password_command"`
	Concurrency     int     `toml:"concurrency"`
	Rate            float64 `toml:"rate"`
	CAFile          string  `toml:"ca_file"`
	DKIMDomain      string  `toml:"dkim_domain"`
	DKIMSelector    string  `toml:"dkim_selector"`
	DKIMKeyFile     string  `toml:"dkim_key_file"`
	SoftBounceLimit int     `toml:"soft_bounce_limit"`
	SoftBounceDays  int     `toml:"soft_bounce_days"`
}

// Serve is the [serve] table: the site as `mailbag serve` runs it.
type Serve struct {
	// TrustedProxies are the addresses (or CIDR ranges) of the reverse
	// proxies in front of serve, whose X-Forwarded-For is believed.
	TrustedProxies []string `toml:"trusted_proxies"`
	// ConfirmationsPerHour caps the subscription confirmations mailed in
	// any hour; beyond it the subscribe form says to try later.
	ConfirmationsPerHour int `toml:"confirmations_per_hour"`
	// RemoteImages lets the site's pages show images from other hosts.
	RemoteImages bool `toml:"remote_images"`

	// Proxies are TrustedProxies read, set by Load.
	Proxies []netip.Prefix `toml:"-"`
}

// Default returns the settings with every key at its default: those of
// DefaultFile.
func Default() *Config {
	c := &Config{}
	if err := decode(FileName, DefaultFile, c); err != nil {
		panic("config: the built-in default settings do not load: " + err.Error())
	}
	return c
}

// Load reads and checks the settings file at path. Keys the file leaves out
// keep their defaults. Errors name the file, the line and the key.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	c := Default()
	if err := decode(path, data, c); err != nil {
		return nil, err
	}
	return c, nil
}

// decode reads settings from data over those in c, and checks them; name is
// the file name for errors.
func decode(name string, data []byte, c *Config) error {
	md, err := toml.Decode(string(data), c)
	if err != nil {
		return decodeError(name, err)
	}
	if keys := md.Undecoded(); len(keys) > 0 {
		k := keys[0]
		return fmt.Errorf("%s:%d: unknown setting %s", name, lineOf(data, k), k)
	}
	if err := c.check(); err != nil {
		var se *settingError
		if errors.As(err, &se) {
			return fmt.Errorf("%s:%d: %s %s", name, lineOf(data, strings.Split(se.key, ".")), se.key, se.msg)
		}
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

var tomlTypeError = regexp.MustCompile(`^toml: line (\d+) \(last key "([^"]+)"\): (.*)$`)

// decodeError turns a TOML error into one line: file:line: what.
func decodeError(name string, err error) error {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s:%d: %s", name, pe.Position.Line, pe.Message)
	}
	if m := tomlTypeError.FindStringSubmatch(err.Error()); m != nil {
		return fmt.Errorf("%s:%s: %s: %s", name, m[1], m[2], strings.Replace(m[3], "incompatible types: ", "wrong type: ", 1))
	}
	return fmt.Errorf("%s: %w", name, err)
}

// lineOf finds the line where key is set in a TOML file, 0 when it is not
// there: the line `name =` inside the key's [table].
func lineOf(data []byte, key toml.Key) int {
	if len(key) == 0 {
		return 0
	}
	table := strings.Join(key[:len(key)-1], ".")
	last := key[len(key)-1]
	current := ""
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "[") {
			current = strings.Trim(line, "[] \t")
			if j := strings.IndexByte(current, ']'); j >= 0 {
				current = current[:j]
			}
			if current == strings.Join(key, ".") {
				return i + 1
			}
			continue
		}
		name, _, ok := strings.Cut(line, "=")
		if ok && current == table && strings.Trim(strings.TrimSpace(name), `"'`) == last {
			return i + 1
		}
	}
	return 0
}

// settingError is a value that fails its check.
type settingError struct {
	key string // dotted: smtp.rate
	msg string
}

func (e *settingError) Error() string { return e.key + ": " + e.msg }

func bad(key, format string, args ...any) error {
	return &settingError{key: key, msg: fmt.Sprintf(format, args...)}
}

// CheckLanguage returns an error, naming the setting, when tag is not a
// BCP 47 language tag.
func CheckLanguage(tag string) error {
	if _, err := language.Parse(tag); err != nil || tag == "" {
		return bad("newsletter.language", "%q is not a language tag such as \"fr\" or \"pt-BR\"", tag)
	}
	return nil
}

// check validates values that decoding cannot, and sets Location. It stops
// at the first problem.
func (c *Config) check() error {
	n := c.Newsletter
	if strings.TrimSpace(n.Title) == "" {
		return bad("newsletter.title", "must not be empty")
	}
	if len([]rune(n.Title)) > 100 || strings.ContainsFunc(n.Title, unicode.IsControl) {
		return bad("newsletter.title", "must be one line of at most 100 characters (it is in every subject and From)")
	}
	loc, err := time.LoadLocation(n.Timezone)
	if err != nil || n.Timezone == "" {
		return bad("newsletter.timezone", "%q is not a time zone name such as \"Europe/London\"", n.Timezone)
	}
	c.Location = loc
	if err := CheckLanguage(n.Language); err != nil {
		return err
	}
	if u, err := url.Parse(n.BaseURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return bad("newsletter.base_url", "%q is not an http or https URL", n.BaseURL)
	}
	if u, err := url.Parse(n.ServerURL); n.ServerURL != "" && (err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "") {
		return bad("newsletter.server_url", "%q is not an http or https URL", n.ServerURL)
	}
	if _, err := mail.ParseAddress(n.Address); err != nil {
		return bad("newsletter.address", "%q is not a mail address", n.Address)
	}
	if err := checkServer("imap", c.IMAP.Address, c.IMAP.Security); err != nil {
		return err
	}
	if c.IMAP.Mailbox == "" {
		return bad("imap.mailbox", "must not be empty")
	}
	switch c.IMAP.AfterIngest {
	case "none", "seen":
	case "move":
		if c.IMAP.MoveTo == "" {
			return bad("imap.move_to", `must name a folder when after_ingest is "move"`)
		}
	default:
		return bad("imap.after_ingest", "%q is not none, seen or move", c.IMAP.AfterIngest)
	}
	if c.IMAP.MaxMessageMB < 1 || c.IMAP.MaxMessageMB > MaxMessageMB {
		return bad("imap.max_message_mb", "%d is not a number of megabytes from 1 to %d (the most ingest fetches whole, to bound the memory it uses)", c.IMAP.MaxMessageMB, MaxMessageMB)
	}
	if err := checkServer("smtp", c.SMTP.Address, c.SMTP.Security); err != nil {
		return err
	}
	if c.SMTP.Concurrency < 1 || c.SMTP.Concurrency > 100 {
		return bad("smtp.concurrency", "%d is not between 1 and 100", c.SMTP.Concurrency)
	}
	if c.SMTP.Rate < 0 {
		return bad("smtp.rate", "%v is negative (0 means no limit)", c.SMTP.Rate)
	}
	if c.SMTP.SoftBounceLimit < 1 {
		return bad("smtp.soft_bounce_limit", "%d is not a number of sends of 1 or more", c.SMTP.SoftBounceLimit)
	}
	if c.Serve.ConfirmationsPerHour < 1 {
		return bad("serve.confirmations_per_hour", "%d is not a number of mails of 1 or more", c.Serve.ConfirmationsPerHour)
	}
	if c.SMTP.SoftBounceDays < 0 {
		return bad("smtp.soft_bounce_days", "%d is negative", c.SMTP.SoftBounceDays)
	}
	for _, id := range c.IMAP.AuthservIDs {
		if id == "" || strings.ContainsAny(id, " \t;()") {
			return bad("imap.authserv_ids", "%q is not an authserv-id: the host name an Authentication-Results header starts with, such as \"mx.google.com\"", id)
		}
	}
	if c.Newsletter.Acknowledge && len(c.IMAP.AuthservIDs) == 0 {
		return bad("newsletter.acknowledge", "needs imap.authserv_ids: acknowledgements go only to senders your mail server authenticated (DMARC, SPF or DKIM), or forged senders would turn them into spam to strangers; set authserv_ids to the id in the Authentication-Results header your server adds (docs/quickstart.md shows how to find it)")
	}
	if (c.SMTP.DKIMKeyFile != "") != (c.SMTP.DKIMDomain != "" && c.SMTP.DKIMSelector != "") {
		return bad("smtp.dkim_key_file", "DKIM signing needs dkim_domain, dkim_selector and dkim_key_file, all three")
	}
	c.Serve.Proxies = nil
	for _, p := range c.Serve.TrustedProxies {
		prefix, err := netip.ParsePrefix(p)
		if err != nil {
			addr, aerr := netip.ParseAddr(p)
			if aerr != nil {
				return bad("serve.trusted_proxies", "%q is not an IP address or a CIDR range such as 10.0.0.0/8", p)
			}
			prefix = netip.PrefixFrom(addr, addr.BitLen())
		}
		c.Serve.Proxies = append(c.Serve.Proxies, prefix.Masked())
	}
	return nil
}

// checkServer checks the keys common to [imap] and [smtp].
func checkServer(table, address, security string) error {
	host, port, err := net.SplitHostPort(address)
	if err != nil || host == "" {
		return bad(table+".address", "%q is not host:port", address)
	}
	if p, err := strconv.Atoi(port); err != nil || p < 1 || p > 65535 {
		return bad(table+".address", "%q has no valid port", address)
	}
	switch security {
	case "tls", "starttls":
	case "none":
		if !isLoopback(host) {
			return bad(table+".security", `"none" sends the password in the clear; it is allowed only to a loopback address, not %q`, host)
		}
	default:
		return bad(table+".security", "%q is not tls, starttls or none", security)
	}
	// A port that speaks TLS from its first byte waits for a handshake a
	// plain start never sends: say so now, not after the server gives up.
	if tlsPort := map[string]string{"993": "IMAP", "465": "SMTP"}[port]; tlsPort != "" && security != "tls" {
		plainPort := map[string]string{"993": "143", "465": "587"}[port]
		return bad(table+".security", `%q on port %s, %s's port for TLS from the start: set security = "tls", or use port %s for starttls`, security, port, tlsPort, plainPort)
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
