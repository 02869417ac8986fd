package publish

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// nameMark is what stands for the asker's name once it is removed.
const nameMark = "[name]"

// signoffLines is how many lines at the end of a question are searched for a
// sign-off with the asker's name.
const signoffLines = 4

// redact removes the asker from a question's text before it is quoted in a
// draft: the sentence that holds their address, their full name anywhere
// (as "[name]"; whatever its letters or script, matched without regard to
// case or accents, and a name in Chinese, Japanese or Korean written with
// or without spaces), short closing lines that carry one of their names
// ("Thanks, Jane", "-- J. Doe", "Jane", "An"), and the valediction left
// above them ("Thanks,", "Pozdrawiam,"). Without a name, an address such
// as priya.sharma@… gives one. It does not find other people's names, nor
// the asker's name spelled otherwise or declined (Russian "Ивана"); the
// author reads the draft.
func redact(text, name, addr string) string {
	if strings.TrimSpace(name) == "" {
		name = nameFromAddress(addr)
	}
	if addr != "" {
		sentence := regexp.MustCompile(`(?i)[^.!?\n]*(mailto:)?` + regexp.QuoteMeta(addr) + `[^.!?\n]*[.!?]?`)
		text = sentence.ReplaceAllString(text, "")
	}
	parts := nameParts(name)
	text = replaceName(text, parts)
	parts = append(slices.DeleteFunc(parts, func(p string) bool { return utf8.RuneCountInString(p) < 2 && !ideographic(p) }), shortForms(parts)...)
	if len(parts) == 0 {
		return strings.TrimSpace(text)
	}
	lines := strings.Split(strings.TrimRight(text, "\n "), "\n")
	seen, dropped := 0, false
	// From the bottom up, through the closing lines only: the first line
	// of the reader's own text ends the search.
	for i := len(lines) - 1; i >= 0 && seen < signoffLines; i-- {
		line := strings.TrimSpace(lines[i])
		switch {
		case line == "":
			continue
		case isSignoff(line, parts):
			lines = append(lines[:i], lines[i+1:]...)
			dropped = true
		case !valediction.MatchString(line) && line != "--":
			seen = signoffLines // stop
		}
		seen++
	}
	for i := range lines {
		lines[i] = strings.TrimRight(lines[i], " \t")
	}
	text = strings.TrimSpace(strings.Join(lines, "\n"))
	if dropped {
		text = dropValediction(text)
	}
	return text
}

// valediction matches a closing line such as "Thanks," or "Best regards,",
// in the languages readers write in.
var valediction = regexp.MustCompile(`(?i)^(many )?(thanks|thank you|cheers|best|best regards|regards|kind regards|warm regards|all the best|` +
	`cordialement|bien à vous|merci|merci beaucoup|bonne journée|danke|vielen dank|grüße|viele grüße|liebe grüße|mit freundlichen grüßen|beste grüße|` +
	`saludos|un saludo|gracias|atentamente|obrigad[oa]|abraços|cumprimentos|grazie|saluti|cordiali saluti|un saluto|` +
	`groeten|met vriendelijke groet|bedankt|hälsningar|med vänliga hälsningar|tack|mvh|hilsen|med venlig hilsen|kiitos|terveisin|` +
	`pozdrawiam|dzięki|dziękuję|z poważaniem|s pozdravem|díky|děkuji|teşekkürler|saygılarımla|ευχαριστώ|με εκτίμηση|` +
	`спасибо|с уважением|всего доброго|дякую|з повагою|cảm ơn|trân trọng|شكرا|مع التحية|谢谢|感谢|此致|よろしくお願いします|ありがとうございます|감사합니다)[,!.。،，]?$`)

// dropValediction removes a closing line left at the end once the name
// under it is gone.
func dropValediction(text string) string {
	i := strings.LastIndexByte(text, '\n')
	if valediction.MatchString(strings.TrimSpace(text[i+1:])) {
		return strings.TrimSpace(text[:max(i, 0)])
	}
	return text
}

// nameParts returns the words of a name, in order: "J. Doe-Smith" -> J,
// Doe-Smith; "Nguyễn Văn An" -> Nguyễn, Văn, An.
func nameParts(name string) []string {
	return strings.FieldsFunc(name, func(r rune) bool { return !isNameRune(r) })
}

// isNameRune reports whether r is part of a word of a name: a letter, a
// mark (a decomposed accent), an apostrophe or a hyphen.
func isNameRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsMark(r) || r == '\'' || r == '’' || r == '-'
}

// ideographic reports whether s is written in Chinese, Japanese or Korean,
// whose names are written without spaces between their words, and whose
// one character may be a name.
func ideographic(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.In(r, unicode.Han, unicode.Hangul, unicode.Hiragana, unicode.Katakana)
}

// shortForms returns the given and family names of a name in Chinese,
// Japanese or Korean written as one word: of three characters, the last
// two (王小明: 小明); of four, the first two and the last two (山田太郎:
// 山田, 太郎).
func shortForms(parts []string) []string {
	if len(parts) != 1 || !ideographic(parts[0]) {
		return nil
	}
	r := []rune(parts[0])
	switch len(r) {
	case 3:
		return []string{string(r[1:])}
	case 4:
		return []string{string(r[:2]), string(r[2:])}
	}
	return nil
}

// replaceName returns text with the full name of parts (two or more, or
// one of two characters or more in Chinese, Japanese or Korean) made
// "[name]": its words in order, one after the other with white space
// between them (or a full stop after an initial), matched without regard
// to case or accents; in Chinese, Japanese or Korean, also the parts
// written together.
func replaceName(text string, parts []string) string {
	if len(parts) == 0 || len(parts) == 1 && !(ideographic(parts[0]) && utf8.RuneCountInString(parts[0]) >= 2) {
		return text
	}
	if ideographic(parts[0]) {
		text = strings.ReplaceAll(text, strings.Join(parts, ""), nameMark)
		if len(parts) == 1 {
			return text
		}
	}
	want := make([]string, len(parts))
	for i, p := range parts {
		want[i] = foldName(p)
	}
	type word struct{ start, end int }
	var words []word
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if !unicode.IsLetter(r) && !unicode.IsMark(r) {
			i += size
			continue
		}
		start := i
		for i < len(text) {
			r, size := utf8.DecodeRuneInString(text[i:])
			if !isNameRune(r) {
				break
			}
			i += size
		}
		words = append(words, word{start, start + len(strings.TrimRight(text[start:i], "'’-"))})
	}
	var b strings.Builder
	at := 0
	for i := 0; i+len(want) <= len(words); i++ {
		match := true
		for k, w := range want {
			cur := words[i+k]
			if foldName(text[cur.start:cur.end]) != w {
				match = false
				break
			}
			if k > 0 && !nameGap(text[words[i+k-1].end:cur.start], want[k-1]) {
				match = false
				break
			}
		}
		if !match {
			continue
		}
		b.WriteString(text[at:words[i].start])
		b.WriteString(nameMark)
		at = words[i+len(want)-1].end
		i += len(want) - 1
	}
	b.WriteString(text[at:])
	return b.String()
}

// nameGap reports whether gap may stand between two words of one name:
// white space, after an initial a full stop too ("J. Doe").
func nameGap(gap, before string) bool {
	if utf8.RuneCountInString(before) == 1 {
		gap = strings.TrimPrefix(gap, ".")
	}
	return gap != "" && strings.TrimSpace(gap) == ""
}

// foldName returns a word of a name in lower case, without its accents
// ("Żółkiewski" is "zolkiewski", "Ø" "o").
func foldName(w string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(w) {
		r = unicode.ToLower(r)
		switch {
		case unicode.Is(unicode.Mn, r):
		case foldedLetters[r] != "":
			b.WriteString(foldedLetters[r])
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// foldedLetters are the letters Unicode does not decompose into a letter
// and accents, and what a name written without accents has for them.
var foldedLetters = map[rune]string{'ł': "l", 'ø': "o", 'đ': "d", 'ð': "d", 'ß': "ss", 'æ': "ae", 'œ': "oe", 'ı': "i", 'þ': "th"}

// nameFromAddress returns the name an address spells out as first.last (or
// with _ or - between, and 2 or 3 words of letters), "" for any other.
func nameFromAddress(addr string) string {
	local, _, _ := strings.Cut(addr, "@")
	local, _, _ = strings.Cut(local, "+")
	words := strings.FieldsFunc(local, func(r rune) bool { return r == '.' || r == '_' || r == '-' })
	if len(words) < 2 || len(words) > 3 {
		return ""
	}
	for _, w := range words {
		if len([]rune(w)) < 2 || strings.IndexFunc(w, func(r rune) bool { return !unicode.IsLetter(r) }) >= 0 {
			return ""
		}
	}
	return strings.Join(words, " ")
}

// isSignoff reports whether a short closing line names the asker.
func isSignoff(line string, parts []string) bool {
	words := strings.Fields(line)
	n := utf8.RuneCountInString(line)
	if len(words) > 4 || n > 40 || ideographic(line) && n > 12 || strings.ContainsAny(line, "?？؟;") {
		return false // a sentence, or a question (Greek's is ;), not a signature
	}
	if strings.Contains(line, nameMark) {
		return true
	}
	for _, w := range words {
		w = strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) })
		for _, p := range parts {
			if foldName(w) == foldName(p) {
				return true
			}
		}
	}
	return false
}
