package archive

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// maxSlug is the longest slug Slugify makes, in bytes.
const maxSlug = 80

// Slugify makes a slug of a title: lower-case letters and digits (of any
// script) in words joined by single dashes, apostrophes dropped ("I'm" ->
// "im"), at most 80 bytes, cut at a word boundary. It returns "" when the
// title has no letter or digit.
func Slugify(title string) string {
	var b strings.Builder
	gap := false
	for _, r := range strings.ToLower(title) {
		switch {
		case r == '\'' || r == '’':
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if gap && b.Len() > 0 {
				b.WriteByte('-')
			}
			gap = false
			b.WriteRune(r)
		default:
			gap = true
		}
	}
	s := b.String()
	if len(s) <= maxSlug {
		return s
	}
	if i := strings.LastIndexByte(s[:maxSlug+1], '-'); i > 0 {
		return s[:i]
	}
	// One long word: cut at the last whole rune that fits.
	cut := maxSlug
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

// validSlug reports whether s is a slug as Slugify makes them.
func validSlug(s string) bool {
	return s != "" && Slugify(s) == s
}

// datedName matches a Jekyll-style file name stem: YYYY-MM-DD-slug.
var datedName = regexp.MustCompile(`^(\d{4}-\d{1,2}-\d{1,2})-(.+)$`)

// SplitFileName splits the stem of a post file name (the name without
// .md) into the date and slug of a YYYY-MM-DD-slug name, read in loc. For a
// name without a leading date, the date is zero and the slug is the
// slugified name.
func SplitFileName(stem string, loc *time.Location) (time.Time, string) {
	if m := datedName.FindStringSubmatch(stem); m != nil {
		if t, err := ParseDate(m[1], loc); err == nil {
			return t, Slugify(m[2])
		}
	}
	return time.Time{}, Slugify(stem)
}

// dateLayouts are the date formats real blogs write in front matter, tried
// in turn. Layouts without a zone are read in the newsletter's zone.
var dateLayouts = []struct {
	layout string
	zoned  bool
}{
	{DateLayout, false},
	{"2006-1-2", false},
	{"2006-1-2 15:04", false},
	{"2006-1-2 15:04:05", false},
	{time.RFC3339Nano, true},
	{"2006-1-2T15:04:05", false},
	{"2006-1-2T15:04", false},
	{"2006-1-2 15:04:05 -0700", true},
	{"2006-1-2 15:04:05 -07:00", true},
	{"2006-1-2 15:04:05 -0700 MST", true},
	{"2006-1-2 15:04 -0700", true},
}

// ParseDate reads a front matter date: the seed's 'YYYY-MM-DD HH:MM:SS',
// YYYY-MM-DD (also 2024-4-09), RFC 3339, and the Jekyll forms with a zone
// offset. Dates without a zone are in loc; the result is always in loc.
func ParseDate(s string, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	s = strings.TrimSpace(s)
	for _, l := range dateLayouts {
		var t time.Time
		var err error
		if l.zoned {
			t, err = time.Parse(l.layout, s)
		} else {
			t, err = time.ParseInLocation(l.layout, s, loc)
		}
		if err == nil {
			return t.In(loc), nil
		}
	}
	return time.Time{}, fmt.Errorf("date %q is not a date like '2018-06-20 00:00:00', 2018-06-20 or RFC 3339", s)
}
