// Package mailaddr says when two mail addresses are the same: as records
// (Key: the same subscriber, the same asker) and as inboxes (Mailbox: the
// same person's mail, whatever tag or dots an address carries).
package mailaddr

import "strings"

// Key returns the form of an address by which records are found and compared:
// in lower case. Mail servers treat the part before the @ as they like,
// but none of the providers readers use tells case apart, and a list must
// not hold one reader twice.
func Key(addr string) string {
	return strings.ToLower(strings.TrimSpace(addr))
}

// Mailbox returns the inbox an address reaches as far as can be told without
// asking: its Key without a "+tag" (which most providers deliver to the
// same inbox), and without dots at Gmail (which ignores them). Two
// addresses with one Mailbox are one inbox.
func Mailbox(addr string) string {
	local, domain, _ := strings.Cut(Key(addr), "@")
	local, _, _ = strings.Cut(local, "+")
	if domain == "googlemail.com" {
		domain = "gmail.com"
	}
	if domain == "gmail.com" {
		local = strings.ReplaceAll(local, ".", "")
	}
	return local + "@" + domain
}
