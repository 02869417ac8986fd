// Package mailinglist is the subscriber list: addresses and their status
// (a reader who left, bounced or complained is never put back), CSV import
// and export, subscriptions on the site with double opt-in, the signed
// tokens of confirmation and unsubscribe links (token.go), and what the
// list mail says of the newsletter (Newsletter). The site reaches
// Subscriptions only through an interface of its own, filled by cmd.
package mailinglist

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"net/netip"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"

	"mailbag/internal/mailaddr"
	"mailbag/publish/schema"
)

// SubscriberStatus is where a subscriber stands.
type SubscriberStatus string

// The statuses of a subscriber. Only active subscribers are mailed.
const (
	Pending      SubscriberStatus = "pending"      // subscribed on the site, not confirmed yet
	Active       SubscriberStatus = "active"       // gets every answer
	Unsubscribed SubscriberStatus = "unsubscribed" // left; never subscribed again by mailbag
	Bounced      SubscriberStatus = "bounced"      // the address does not take mail
	Complained   SubscriberStatus = "complained"   // reported the newsletter as spam
)

// Subscriber is one address on the list.
type Subscriber struct {
	ID         int64
	Email      string
	Name       string
	Status     SubscriberStatus
	Source     string
	Attributes map[string]string
	Created    time.Time
	Updated    time.Time
	// StatusReason says why the subscriber left the list, when a report
	// or failures decided it ("the address does not exist (5.1.1)"); ""
	// otherwise.
	StatusReason string
}

// Errors of the subscriber list.
var (
	// ErrBadAddress means a string is not a mail address.
	ErrBadAddress = errors.New("publish: not a mail address")
	// ErrNoSubscriber means the address is not on the list.
	ErrNoSubscriber = errors.New("publish: no such subscriber")
	// ErrSuppressed means the address left the list, bounced or complained:
	// mailbag does not put it back.
	ErrSuppressed = errors.New("publish: the address left the list")
)

// migrate creates or upgrades the publish tables.
func migrate(ctx context.Context, db *sql.DB) error {
	return schema.Migrate(ctx, db)
}

// Subscribers is the subscriber list in the state database.
type Subscribers struct {
	db  *sql.DB
	now func() time.Time
}

// NewSubscribers returns the list kept in db, creating or upgrading its
// tables; now is the clock (nil means time.Now).
func NewSubscribers(ctx context.Context, db *sql.DB, now func() time.Time) (*Subscribers, error) {
	if err := migrate(ctx, db); err != nil {
		return nil, err
	}
	if now == nil {
		now = time.Now
	}
	return &Subscribers{db: db, now: now}, nil
}

// NormalizeAddress reads an address ("ana@Example.NET", or "Ana
// <ana@example.net>") and returns it trimmed with its domain in lower case,
// and the name given with it. The error wraps ErrBadAddress.
//
// Refused besides what is no address at all: control characters (in the
// address or the name: a name holding a line break would break every
// message to it), an IP literal or a dotless domain (no mail provider's
// subscriber has one), and parts over RFC 5321's limits (64 octets local,
// 255 domain, 254 in all); a name over 200 characters too.
func NormalizeAddress(s string) (addr, name string, err error) {
	addr, name, why := normalizeAddress(s)
	switch why {
	case "":
		return addr, name, nil
	case notAnAddress:
		return "", "", fmt.Errorf("%w: %q", ErrBadAddress, s)
	}
	return "", "", fmt.Errorf("%w: %q: %s", ErrBadAddress, s, why)
}

// notAnAddress is normalizeAddress's word for what is no address at all.
const notAnAddress = "not a mail address"

// normalizeAddress does what NormalizeAddress does, saying in words what is wrong.
func normalizeAddress(s string) (addr, name, why string) {
	if strings.ContainsFunc(s, unicode.IsControl) {
		return "", "", "it holds a control character"
	}
	a, err := mail.ParseAddress(strings.TrimSpace(s))
	if err != nil || !strings.Contains(a.Address, "@") {
		return "", "", notAnAddress
	}
	local, domain, _ := strings.Cut(a.Address, "@")
	switch {
	case local == "" || !strings.Contains(domain, ".") || strings.ContainsAny(a.Address, " \t"):
		return "", "", notAnAddress
	case strings.HasPrefix(domain, "[") || isIP(domain):
		return "", "", "its domain is an IP address"
	case len(local) > 64 || len(domain) > 255 || len(a.Address) > 254:
		return "", "", "it is longer than an address may be (RFC 5321)"
	case !dotAtom(local):
		return "", "", "its part before the @ is quoted, or holds a character no mail provider gives out (RFC 5321)"
	case !hostName(domain):
		return "", "", "its domain is not a name mail can go to (labels of letters, digits and inner hyphens)"
	}
	if err := checkName(a.Name); err != nil {
		return "", "", nameProblem
	}
	return local + "@" + strings.ToLower(domain), a.Name, ""
}

// dotAtom reports whether local is an unquoted local part (RFC 5321's
// Dot-string): atoms of RFC 5322's atext, or of letters, digits and marks
// of any script (RFC 6531), joined by single dots. No quoting, no spaces,
// nothing invisible.
func dotAtom(local string) bool {
	if local == "" || local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, "..") {
		return false
	}
	for _, r := range local {
		switch {
		case r < utf8.RuneSelf:
			if r != '.' && !isAtext(byte(r)) {
				return false
			}
		case unicode.IsLetter(r), unicode.IsDigit(r), unicode.Is(unicode.M, r):
		default:
			return false
		}
	}
	return true
}

// isAtext reports whether c is one of RFC 5322's atext characters.
func isAtext(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0
}

// hostName reports whether domain is a host name mail can be sent to:
// two labels or more, each of letters (of any script: IDNA), digits and
// hyphens, none starting or ending with a hyphen, at most 63 bytes once
// in ASCII (punycode), the last not all digits.
func hostName(domain string) bool {
	if strings.ContainsFunc(domain, func(r rune) bool {
		return r != '.' && r != '-' && !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.M, r)
	}) {
		return false
	}
	ascii, err := idna.Lookup.ToASCII(domain)
	if err != nil {
		return false
	}
	labels := strings.Split(ascii, ".")
	if len(labels) < 2 || strings.Trim(labels[len(labels)-1], "0123456789") == "" {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			if c := l[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// maxName is the longest name a subscriber may have, in characters.
const maxName = 200

// nameProblem says what checkName refuses.
var nameProblem = fmt.Sprintf("the name is over %d characters or holds a control character (a line break?)", maxName)

// checkName reports a name a subscriber may not have: one over 200
// characters, or holding a control character (a line break in a name
// would break the To header of every message to it). The error wraps
// ErrBadAddress.
func checkName(name string) error {
	if utf8.RuneCountInString(name) > maxName || strings.ContainsFunc(name, unicode.IsControl) {
		return fmt.Errorf("%w: %q: %s", ErrBadAddress, name, nameProblem)
	}
	return nil
}

// isIP reports whether domain is an IP address written as a domain.
func isIP(domain string) bool {
	_, err := netip.ParseAddr(domain)
	return err == nil
}

// Added says what Add did.
type Added int

// What Add can do.
const (
	AddedNew     Added = iota // a new subscriber
	AddedAlready              // already on the list, active or pending: unchanged
)

// Add puts an address on the list as active. An address already there is
// left as it is; one that unsubscribed, bounced or complained is not
// reactivated: the error wraps ErrSuppressed. attrs may be nil.
func (s *Subscribers) Add(ctx context.Context, email, name, source string, attrs map[string]string) (*Subscriber, Added, error) {
	return s.add(ctx, s.db, email, name, source, attrs)
}

// queryer is what Add needs of a database or a transaction.
type queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (s *Subscribers) add(ctx context.Context, db queryer, email, name, source string, attrs map[string]string) (*Subscriber, Added, error) {
	addr, parsedName, err := NormalizeAddress(email)
	if err != nil {
		return nil, 0, err
	}
	if name == "" {
		name = parsedName
	}
	if err := checkName(name); err != nil {
		return nil, 0, err
	}
	if old, err := s.get(ctx, db, addr); err == nil {
		switch old.Status {
		case Active, Pending:
			return old, AddedAlready, nil
		default:
			return old, 0, fmt.Errorf("%w: %s is %s (since %s); mailbag does not subscribe it again",
				ErrSuppressed, old.Email, old.Status, old.Updated.Format("2006-01-02"))
		}
	} else if !errors.Is(err, ErrNoSubscriber) {
		return nil, 0, err
	}
	if err := s.insert(ctx, db, importRow{addr: addr, name: name, source: source, status: Active, attrs: attrs}); err != nil {
		return nil, 0, err
	}
	sub, err := s.get(ctx, db, addr)
	return sub, AddedNew, err
}

// insert adds row's subscriber, as it says; its zero dates are now.
func (s *Subscribers) insert(ctx context.Context, db queryer, row importRow) error {
	if row.attrs == nil {
		row.attrs = map[string]string{}
	}
	rawAttrs, err := json.Marshal(row.attrs)
	if err != nil {
		return fmt.Errorf("publish: add subscriber: %w", err)
	}
	now := s.now().UTC()
	if row.created.IsZero() {
		row.created = now
	}
	if row.updated.IsZero() {
		row.updated = now
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO subscribers (email, email_key, name, status, source, attributes, created, updated)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, row.addr, mailaddr.Key(row.addr), row.name, row.status, row.source, string(rawAttrs),
		row.created.UTC().Format(time.RFC3339), row.updated.UTC().Format(time.RFC3339)); err != nil {
		return fmt.Errorf("publish: add subscriber %s: %w", row.addr, err)
	}
	return nil
}

// pendingFor is how long a subscription waits for its confirmation: after
// that the pending address is forgotten.
const pendingFor = 7 * 24 * time.Hour

// confirmEvery is the least time between two confirmation mails to one
// address.
const confirmEvery = 24 * time.Hour

// ForgetUnconfirmed removes the pending subscribers whose subscription
// waited longer than a week for its confirmation, and returns how many.
func (s *Subscribers) ForgetUnconfirmed(ctx context.Context) (int, error) {
	before := s.now().Add(-pendingFor).UTC().Format(time.RFC3339Nano)
	res, err := s.db.ExecContext(ctx, `DELETE FROM subscribers WHERE status = ? AND updated < ?
		AND NOT EXISTS (SELECT 1 FROM deliveries WHERE deliveries.subscriber_id = subscribers.id)`, Pending, before)
	if err != nil {
		return 0, fmt.Errorf("publish: forget unconfirmed subscribers: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// claimConfirmation records that sub is mailed a link to confirm now, and
// reports whether it may be: not when one went out to the same mailbox
// (see mailboxKey) within a day.
func (s *Subscribers) claimConfirmation(ctx context.Context, sub *Subscriber) (bool, error) {
	now := s.now().UTC()
	res, err := s.db.ExecContext(ctx, `INSERT INTO confirmations (mailbox, sent) VALUES (?, ?)
		ON CONFLICT (mailbox) DO UPDATE SET sent = excluded.sent WHERE confirmations.sent < ?`,
		mailaddr.Mailbox(sub.Email), now.Format(time.RFC3339Nano), now.Add(-confirmEvery).Format(time.RFC3339Nano))
	if err != nil {
		return false, fmt.Errorf("publish: subscriber %d: %w", sub.ID, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// unclaimConfirmation undoes claimConfirmation: the mail did not go out.
func (s *Subscribers) unclaimConfirmation(ctx context.Context, sub *Subscriber) {
	_, _ = s.db.ExecContext(ctx, `DELETE FROM confirmations WHERE mailbox = ?`, mailaddr.Mailbox(sub.Email))
}

// confirmationsSince counts the confirmations mailed since t.
func (s *Subscribers) confirmationsSince(ctx context.Context, t time.Time) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM confirmations WHERE sent >= ?`, t.UTC().Format(time.RFC3339Nano)).Scan(&n); err != nil {
		return 0, fmt.Errorf("publish: confirmations: %w", err)
	}
	return n, nil
}

// AddPending puts an address on the list as pending, to be confirmed:
// the double opt-in of the site. An address already on the list is
// returned as it is.
func (s *Subscribers) AddPending(ctx context.Context, email, source string) (*Subscriber, error) {
	addr, _, err := NormalizeAddress(email)
	if err != nil {
		return nil, err
	}
	if old, err := s.Get(ctx, addr); err == nil {
		return old, nil
	} else if !errors.Is(err, ErrNoSubscriber) {
		return nil, err
	}
	now := s.now().UTC().Format(time.RFC3339Nano)
	if _, err := s.db.ExecContext(ctx, `INSERT INTO subscribers (email, email_key, status, source, created, updated)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (email_key) DO NOTHING`, addr, mailaddr.Key(addr), Pending, source, now, now); err != nil {
		return nil, fmt.Errorf("publish: add subscriber %s: %w", addr, err)
	}
	return s.Get(ctx, addr)
}

// SetStatus sets the status of the subscriber with address email. The
// error wraps ErrNoSubscriber.
func (s *Subscribers) SetStatus(ctx context.Context, email string, status SubscriberStatus) error {
	return s.setStatus(ctx, s.db, email, status)
}

func (s *Subscribers) setStatus(ctx context.Context, db queryer, email string, status SubscriberStatus) error {
	addr, _, err := NormalizeAddress(email)
	if err != nil {
		return err
	}
	res, err := db.ExecContext(ctx, `UPDATE subscribers SET status = ?, updated = ? WHERE email_key = ?`,
		status, s.now().UTC().Format(time.RFC3339Nano), mailaddr.Key(addr))
	if err != nil {
		return fmt.Errorf("publish: subscriber %s: %w", addr, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%w: %s", ErrNoSubscriber, addr)
	}
	return nil
}

const subscriberColumns = `id, email, name, status, source, attributes, created, updated, status_reason`

func scanSubscriber(row interface{ Scan(...any) error }) (*Subscriber, error) {
	var sub Subscriber
	var attrs, created, updated string
	if err := row.Scan(&sub.ID, &sub.Email, &sub.Name, &sub.Status, &sub.Source, &attrs, &created, &updated, &sub.StatusReason); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(attrs), &sub.Attributes); err != nil {
		return nil, fmt.Errorf("attributes of %s: %w", sub.Email, err)
	}
	sub.Created, _ = time.Parse(time.RFC3339Nano, created)
	sub.Updated, _ = time.Parse(time.RFC3339Nano, updated)
	return &sub, nil
}

// Get returns the subscriber with address email, whatever its case. The
// error wraps ErrNoSubscriber.
func (s *Subscribers) Get(ctx context.Context, email string) (*Subscriber, error) {
	return s.get(ctx, s.db, email)
}

func (s *Subscribers) get(ctx context.Context, db queryer, email string) (*Subscriber, error) {
	addr, _, err := NormalizeAddress(email)
	if err != nil {
		return nil, err
	}
	sub, err := scanSubscriber(db.QueryRowContext(ctx, `SELECT `+subscriberColumns+` FROM subscribers WHERE email_key = ?`, mailaddr.Key(addr)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: %s", ErrNoSubscriber, addr)
	}
	if err != nil {
		return nil, fmt.Errorf("publish: subscriber %s: %w", addr, err)
	}
	return sub, nil
}

// GetByID returns the subscriber with id. The error wraps ErrNoSubscriber.
func (s *Subscribers) GetByID(ctx context.Context, id int64) (*Subscriber, error) {
	sub, err := scanSubscriber(s.db.QueryRowContext(ctx, `SELECT `+subscriberColumns+` FROM subscribers WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: #%d", ErrNoSubscriber, id)
	}
	if err != nil {
		return nil, fmt.Errorf("publish: subscriber #%d: %w", id, err)
	}
	return sub, nil
}

// List returns the subscribers with status (all when ""), oldest first.
func (s *Subscribers) List(ctx context.Context, status SubscriberStatus) ([]*Subscriber, error) {
	q := `SELECT ` + subscriberColumns + ` FROM subscribers`
	var args []any
	if status != "" {
		q += ` WHERE status = ?`
		args = append(args, status)
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("publish: list subscribers: %w", err)
	}
	defer rows.Close()
	var out []*Subscriber
	for rows.Next() {
		sub, err := scanSubscriber(rows)
		if err != nil {
			return nil, fmt.Errorf("publish: list subscribers: %w", err)
		}
		out = append(out, sub)
	}
	return out, rows.Err()
}
