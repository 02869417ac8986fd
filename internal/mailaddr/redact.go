package mailaddr

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// addressInText finds mail addresses in text: a relay's error names them.
var addressInText = regexp.MustCompile(`[^\s<>"'(),;:@]+@[A-Za-z0-9.-]+`)

// Redact returns text with each mail address in it shown only
// by its first character and its domain ("a…@example.net"): logs keep no
// one's address.
func Redact(text string) string {
	return addressInText.ReplaceAllStringFunc(text, mask)
}

// mask returns addr as a log may show it: "a…@example.net".
func mask(addr string) string {
	local, domain, ok := strings.Cut(addr, "@")
	if !ok || local == "" {
		return "…"
	}
	r, _ := utf8.DecodeRuneInString(local)
	return string(r) + "…@" + domain
}
