package mailinglist

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Layout names whose export a subscriber file is: "mailbag" (mailbag's own
// export, or any CSV with an email column and nothing that may say who
// left), or another platform's.
type Layout string

// The layouts Import reads.
const (
	Mailbag    Layout = "mailbag"
	Substack   Layout = "substack"
	Ghost      Layout = "ghost"
	Mailchimp  Layout = "mailchimp"
	Buttondown Layout = "buttondown"
	Beehiiv    Layout = "beehiiv"
	Kit        Layout = "kit"
	Listmonk   Layout = "listmonk"
)

// Layouts lists the layouts Import reads, in the order it tries them.
var Layouts = []Layout{Mailchimp, Ghost, Substack, Beehiiv, Buttondown, Kit, Listmonk, Mailbag}

// layoutOf describes how one platform's export reads.
type layoutOf struct {
	// is reports whether a header (in lower case) is this platform's.
	is func(h header) bool
	// row reads one record: its name, its status, when the subscriber
	// consented ("" when the export has no date), and what of it could not
	// be read. file is the export's file name, which some platforms' names
	// say who is in it.
	row func(f fields, file string) (name string, status SubscriberStatus, consent string, err error)
}

// header is a file's header row, in lower case.
type header []string

// has reports whether h has any of names.
func (h header) has(names ...string) bool {
	for _, n := range names {
		if slices.Contains(h, n) {
			return true
		}
	}
	return false
}

// fields reads a record's cells by column name.
type fields func(names ...string) string

// truthy reports whether a cell says yes.
func truthy(v string) bool {
	switch strings.ToLower(v) {
	case "true", "yes", "1", "y":
		return true
	}
	return false
}

// joinName returns a first and a last name as one.
func joinName(first, last string) string {
	return strings.TrimSpace(strings.TrimSpace(first) + " " + strings.TrimSpace(last))
}

// statusFrom maps a platform's word for a subscriber's state to a status,
// or says it does not know it: an unknown word is never read as active.
func statusFrom(platform, v string, words map[string]SubscriberStatus) (SubscriberStatus, error) {
	if st, ok := words[strings.ToLower(strings.TrimSpace(v))]; ok {
		return st, nil
	}
	known := make([]string, 0, len(words))
	for w := range words {
		known = append(known, w)
	}
	slices.Sort(known)
	return "", fmt.Errorf("%s status %q is none of %s; the line is left out rather than mailed", platform, v, strings.Join(known, ", "))
}

var layouts = map[Layout]layoutOf{
	Mailchimp: {
		is: func(h header) bool {
			return h.has("email address") && h.has("leid", "euid", "member_rating", "optin_time")
		},
		row: func(f fields, file string) (string, SubscriberStatus, string, error) {
			name := joinName(f("first name"), f("last name"))
			consent := cmp.Or(f("confirm_time"), f("optin_time"))
			lower := strings.ToLower(file)
			switch {
			case strings.Contains(lower, "nonsubscribed"):
				return name, "", consent, fmt.Errorf("a Mailchimp contact who never subscribed (%s); left out", file)
			case f("unsub_time") != "" || strings.HasPrefix(lower, "unsubscribed"):
				return name, Unsubscribed, consent, nil
			case f("clean_time") != "" || strings.HasPrefix(lower, "cleaned"):
				return name, Bounced, consent, nil // cleaned: the address bounced
			}
			return name, Active, consent, nil
		},
	},
	Ghost: {
		is: func(h header) bool {
			return h.has("email") && (h.has("subscribed_to_emails") || h.has("subscribed") && h.has("labels", "note", "complimentary_plan"))
		},
		row: func(f fields, _ string) (string, SubscriberStatus, string, error) {
			sub := cmp.Or(f("subscribed_to_emails"), f("subscribed"))
			st := Active
			switch {
			case f("deleted_at") != "":
				st = Unsubscribed
			case sub == "" || truthy(sub):
			case strings.EqualFold(sub, "false") || sub == "0" || strings.EqualFold(sub, "no"):
				st = Unsubscribed
			default:
				return "", "", "", fmt.Errorf("subscribed_to_emails %q (Ghost) is neither true nor false; the line is left out rather than mailed", sub)
			}
			return f("name"), st, f("created_at"), nil
		},
	},
	Substack: {
		is: func(h header) bool {
			return h.has("email") && h.has("email_disabled", "active_subscription", "stripe_connected_customer_id")
		},
		row: func(f fields, _ string) (string, SubscriberStatus, string, error) {
			st := Active
			if d := f("email_disabled"); truthy(d) {
				st = Unsubscribed
			} else if d != "" && !strings.EqualFold(d, "false") {
				return "", "", "", fmt.Errorf("email_disabled %q (Substack) is neither true nor false; the line is left out rather than mailed", d)
			}
			return f("name"), st, f("created_at", "subscription_date"), nil
		},
	},
	Beehiiv: {
		is: func(h header) bool { return h.has("email") && h.has("status") && h.has("tier", "unsubscribed_at") },
		row: func(f fields, _ string) (string, SubscriberStatus, string, error) {
			name := joinName(f("first name", "first_name"), f("last name", "last_name"))
			if f("unsubscribed_at") != "" {
				return name, Unsubscribed, f("created_at"), nil
			}
			st, err := statusFrom("beehiiv", f("status"), map[string]SubscriberStatus{
				"active": Active, "inactive": Unsubscribed, "pending": Pending, "validating": Pending,
				"invalid": Bounced, "needs_attention": Pending, "unsubscribed": Unsubscribed,
			})
			return name, st, f("created_at"), err
		},
	},
	Buttondown: {
		is: func(h header) bool {
			return h.has("email") && h.has("subscriber_type", "unsubscription_date", "creation_date")
		},
		row: func(f fields, file string) (string, SubscriberStatus, string, error) {
			consent := f("creation_date")
			if f("unsubscription_date") != "" || strings.HasPrefix(strings.ToLower(file), "unsubscribed") {
				return "", Unsubscribed, consent, nil
			}
			t := f("subscriber_type", "type")
			if t == "" {
				return "", Active, consent, nil
			}
			st, err := statusFrom("Buttondown", t, map[string]SubscriberStatus{
				"regular": Active, "premium": Active, "gifted": Active, "trialed": Active, "churning": Active,
				"past_due": Active, "unpaid": Active, "unactivated": Pending, "unsubscribed": Unsubscribed,
				"removed": Unsubscribed, "spammy": Complained, "complained": Complained, "undeliverable": Bounced,
			})
			return "", st, consent, err
		},
	},
	Kit: {
		is: func(h header) bool { return h.has("email_address", "email") && h.has("state") },
		row: func(f fields, _ string) (string, SubscriberStatus, string, error) {
			st, err := statusFrom("Kit", f("state"), map[string]SubscriberStatus{
				"active": Active, "inactive": Pending, "cancelled": Unsubscribed, "canceled": Unsubscribed,
				"unsubscribed": Unsubscribed, "bounced": Bounced, "complained": Complained, "cold": Active,
			})
			return joinName(f("first_name", "first name"), f("last_name", "last name")), st, f("created_at", "created at"), err
		},
	},
	Listmonk: {
		is: func(h header) bool {
			return h.has("uuid") && h.has("email") && h.has("status") && h.has("attributes", "attribs")
		},
		row: func(f fields, _ string) (string, SubscriberStatus, string, error) {
			st, err := statusFrom("listmonk", f("status"), map[string]SubscriberStatus{
				"enabled": Active, "disabled": Unsubscribed, "blocklisted": Unsubscribed, "blacklisted": Unsubscribed,
			})
			return f("name"), st, f("created_at"), err
		},
	},
}

// leaveWords are parts of a column's name that may say who left a list: a
// file read as mailbag's own layout must not have one it does not read.
var leaveWords = []string{"unsub", "bounce", "clean", "complain", "blocklist", "blacklist", "disabled", "state", "subscribed", "opt", "suppress", "deleted", "spam"}

// detectLayout returns the layout of a header (in lower case).
func detectLayout(h header) (Layout, error) {
	for _, l := range Layouts[:len(Layouts)-1] {
		if layouts[l].is(h) {
			return l, nil
		}
	}
	if !h.has(emailColumns...) {
		return "", fmt.Errorf("publish: import: line 1: %w in the header (%s); looked for one of %s, as mailbag's own CSV and every export it reads have (%s)",
			ErrNoEmailColumn, strings.Join(h, ", "), strings.Join(emailColumns, ", "), layoutNames())
	}
	return Mailbag, checkLayout(Mailbag, h)
}

// checkLayout reports whether a header (in lower case) is layout l's:
// another platform's by its columns; mailbag's with no column that may
// say who left the list and that mailbag's own do not read, since
// reading such a file as mailbag's would make everyone in it active.
func checkLayout(l Layout, h header) error {
	if l != Mailbag {
		if !layouts[l].is(h) {
			return fmt.Errorf("publish: import: line 1: the header (%s) is not %s's subscriber export; leave --from out, and mailbag tells the export from its columns", strings.Join(h, ", "), l)
		}
		return nil
	}
	for _, c := range h {
		if slices.Contains(exportColumns, c) {
			continue
		}
		for _, w := range leaveWords {
			if strings.Contains(c, w) {
				return fmt.Errorf("publish: import: line 1: the column %q may say who left the list, and the header (%s) is no export mailbag knows; name the platform with --from (%s), or remove the column if it says nothing of the kind",
					c, strings.Join(h, ", "), layoutNames())
			}
		}
	}
	return nil
}

// ErrNoEmailColumn is what Import's error wraps for a file whose header
// has no email column: not a list of subscribers.
var ErrNoEmailColumn = errors.New("no email column")

// layoutNames returns the layouts' names, for messages.
func layoutNames() string {
	names := make([]string, len(Layouts))
	for i, l := range Layouts {
		names[i] = string(l)
	}
	return strings.Join(names, ", ")
}

// ParseLayout returns the layout named s, or an error listing them.
func ParseLayout(s string) (Layout, error) {
	l := Layout(strings.ToLower(strings.TrimSpace(s)))
	if slices.Contains(Layouts, l) {
		return l, nil
	}
	return "", fmt.Errorf("%q is not a subscriber export mailbag reads; name one of %s", s, layoutNames())
}

// consentLayouts are the ways platforms write when someone subscribed.
var consentLayouts = []string{time.RFC3339Nano, "2006-01-02 15:04:05", "2006-01-02 15:04:05 MST", "2006-01-02 15:04:05-07:00",
	"2006-01-02 15:04:05.999999-07", "2006-01-02 15:04:05.999999-07:00", "2006-01-02T15:04:05", "2006-01-02"}

// parseConsent reads a platform's date of consent, in UTC where it names no
// zone.
func parseConsent(v string) (time.Time, bool) {
	for _, l := range consentLayouts {
		if t, err := time.Parse(l, v); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
