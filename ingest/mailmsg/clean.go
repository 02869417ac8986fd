package mailmsg

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// replyForm is one way a mail client writes the line above the quoted
// message it replies to ("On Tue, Jim wrote:"). Only a line that has the
// form's words where it has them is matched against re: the regular
// expression is the rule, the words a cheap first test that keeps cleaning
// fast and linear whatever a reader sends.
type replyForm struct {
	ends  []string // the line ends with one of these (lower case); nil: any ending
	start string   // the line starts with this word (lower case)
	has   string   // the line has this word somewhere (lower case)
	re    *regexp.Regexp
}

// line compiles a regular expression matched against a whole trimmed line.
func line(expr string) *regexp.Regexp { return regexp.MustCompile(`(?i)^(?:` + expr + `)$`) }

// colon is the ending of the forms that end with a colon.
var colon = []string{":"}

// replyForms are the reply headers of the languages readers write in.
// Everything from such a line down is history.
var replyForms = []replyForm{
	{ends: []string{"wrote", "wrote:"}, start: "on", re: line(`on\b.*\bwrote:?`)},                                      // English
	{ends: []string{"crit", "crit:", "crit :"}, start: "le", re: line(`le\b.*\ba [ée]crit\s*:?`)},                      // French
	{start: "am", has: "schrieb", re: line(`am\b.*\bschrieb.*:?`)},                                                     // German
	{ends: colon, has: "schrieb", re: line(`.*\bschrieb\b.*:`)},                                                        // German, name first
	{ends: []string{"escribió", "escribió:", "escribio", "escribio:"}, start: "el", re: line(`el\b.*\bescribi[óo]:?`)}, // Spanish
	{ends: []string{"scritto", "scritto:", "scritto :"}, re: line(`.*\bha scritto\s*:?`)},                              // Italian
	{ends: []string{"escreveu", "escreveu:"}, start: "em", re: line(`em\b.*\bescreveu:?`)},                             // Portuguese
	{start: "op", has: "schreef", re: line(`op\b.*\bschreef.*:?`)},                                                     // Dutch
	{ends: colon, has: "skrev", re: line(`.*\bskrev\b.*:`)},                                                            // Danish, Norwegian, Swedish
	{ends: []string{"kirjoitti", "kirjoitti:"}, re: line(`.*\bkirjoitti:?`)},                                           // Finnish
	{ends: []string{"пишет", "пишет:", "пишет :", "написал", "написал:", "написал :", "написала", "написала:", "написала :"}, re: line(`.*(пишет|написал|написала)\s*:?`)}, // Russian
	{ends: []string{"пише:", "написав:", "написала:", "написав(ла):"}, re: line(`.*(пише|написав|написала|написав\(ла\))\s*:`)},                                            // Ukrainian
	{ends: []string{"napisał(a):", "napisał:", "napisała:"}, re: line(`.*\b(napisał\(a\)|napisał|napisała)\s*:`)},                                                          // Polish (Gmail)
	{ends: []string{"pisze:"}, start: "w dniu", re: line(`w dniu\b.*\bpisze\s*:`)},                                                                                         // Polish (Thunderbird)
	{ends: []string{"napsal(a):", "napsal:", "napsala:"}, re: line(`.*\b(napsal\(a\)|napsal|napsala)\s*:`)},                                                                // Czech
	{ends: []string{"yazdı:"}, re: line(`.*\byazdı\s*:`)},                                                                                                                  // Turkish: "... şunu yazdı:"
	{ends: colon, re: line(`.*\sírta(\s.*)?:`)},               // Hungarian: "Jim <…> ezt írta (időpont: …):"
	{ends: []string{"a scris:"}, re: line(`.*\ba scris\s*:`)}, // Romanian
	{ends: []string{"έγραψε:"}, re: line(`.*έγραψε\s*:`)},     // Greek
	{ends: []string{"đã viết:"}, re: line(`.*đã viết\s*:`)},   // Vietnamese
	{ends: []string{"كتب:"}, re: line(`.*كتب\s*:`)},           // Arabic
	{ends: []string{"のメール:", "のメール：", "のメッセージ:", "のメッセージ："}, re: line(`.*(のメール|のメッセージ)\s*[:：]`)}, // Japanese (Apple Mail, Outlook)
	{ends: []string{"写道:", "写道：", "寫道:", "寫道："}, re: line(`.*(写道|寫道)\s*[:：]`)},                   // Chinese
	{ends: []string{"작성:", "작성："}, re: line(`.*작성\s*[:：]`)},                                      // Korean: "...님이 작성:"
	{ends: []string{"-"}, re: line(`-{2,}\s*(original message|message d'origine|ursprüngliche nachricht|mensaje original|messaggio originale|oprindelig meddelelse|alkuperäinen viesti|forwarded message)\s*-{2,}`)},
	{ends: []string{"__________"}, re: line(`_{10,}`)}, // Outlook's rule above the quoted header
	{ends: colon, start: "begin forwarded", re: line(`begin forwarded message:`)},
	{ends: colon, has: "@", re: line(`.*\d.*<[^<>@\s]+@[^<>\s]+>"?\s*:`)}, // Gmail in any language: "ср, 30 апр. 2025 г. в 15:19, John <john@example.com>:"
}

// maxHeaderLine is the longest line (in bytes) taken for a reply header,
// a signature line or a quoted header block's line: they are short, and a
// longer line is the reader's text.
const maxHeaderLine = 1000

// formsByLastByte lists, for each byte a line may end with, the reply
// forms such a line may be: those with an ending that ends with the byte,
// and those with any ending.
var formsByLastByte = func() (by [256][]*replyForm) {
	for i := range replyForms {
		f := &replyForms[i]
		for b := range 256 {
			ok := f.ends == nil
			for _, end := range f.ends {
				ok = ok || end[len(end)-1] == byte(b) || strings.ToUpper(end)[len(strings.ToUpper(end))-1] == byte(b)
			}
			if ok {
				by[b] = append(by[b], f)
			}
		}
	}
	return by
}()

// isReplyHeaderLine reports whether a trimmed line is a reply header;
// with a second line, whether the two joined by a space are one (as Gmail
// wraps long ones). The lines are joined only when the cheap tests pass.
func isReplyHeaderLine(first, second string) bool {
	end := first
	if second != "" {
		end = second
	}
	if end == "" || len(first)+len(second) > 2*maxHeaderLine {
		return false
	}
	var line, tail string
	for _, f := range formsByLastByte[end[len(end)-1]] {
		if !hasPrefixFold(first, f.start) || (f.has != "" && !containsFold(first, f.has) && !containsFold(second, f.has)) {
			continue
		}
		if line == "" {
			line = first
			if second != "" {
				line = first + " " + second
			}
			tail = strings.ToLower(line[max(0, len(line)-24):]) // the longest ending, with room
		}
		if f.endsLike(tail) && f.re.MatchString(line) {
			return true
		}
	}
	return false
}

// endsLike reports whether a line whose end in lower case is tail ends as
// f's lines do.
func (f replyForm) endsLike(tail string) bool {
	if f.ends == nil {
		return true
	}
	for _, end := range f.ends {
		if strings.HasSuffix(tail, end) {
			return true
		}
	}
	return false
}

// containsFold reports whether s has word in it, in any case; word is in
// lower case, and its first byte ASCII.
func containsFold(s, word string) bool {
	first, upper := word[0], word[0]
	if 'a' <= first && first <= 'z' {
		upper -= 'a' - 'A'
	}
	for i := 0; i+len(word) <= len(s); i++ {
		if (s[i] == first || s[i] == upper) && strings.EqualFold(s[i:i+len(word)], word) {
			return true
		}
	}
	return false
}

// hasPrefixFold does what strings.HasPrefix does without regard to case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// headerBlockStart matches the first line of a quoted header block that
// Outlook writes instead of an "On ... wrote:" line: "From: Jim".
var headerBlockStart = regexp.MustCompile(`(?i)^\*?(from|von|de|van|da|fra|från|lähettäjä|от|від|od|kimden|feladó|expeditor|από|差出人|发件人|寄件者|보낸 사람)\s*[:：]\*?\s*`)

// headerBlockNext matches a following line of such a block.
var headerBlockNext = regexp.MustCompile(`(?i)^\*?(sent|date|to|subject|gesendet|datum|an|betreff|envoyé|à|objet|enviado|fecha|para|asunto|inviato|data|oggetto|verzonden|aan|onderwerp|sendt|til|emne|skickat|till|ämne|lähetetty|vastaanottaja|aihe|отправлено|кому|тема|дата|надіслано|wysłano|do|temat|odesláno|komu|předmět|gönderildi|kime|konu|στάλθηκε|προς|θέμα|送信日時|宛先|件名|发送时间|收件人|主题|日期|寄件日期|收件者|主旨|보낸 날짜|받는 사람|제목)\s*[:：]`)

// hasFieldName reports whether line starts with a short name and a colon,
// as every line of a quoted header block does: the cheap first test of
// headerBlockStart and headerBlockNext.
func hasFieldName(line string) bool {
	head := line[:min(len(line), 40)]
	i := strings.IndexByte(head, ':')
	if i < 0 {
		i = strings.Index(head, "：") // the full-width colon of Chinese and Japanese
	}
	return i > 0 && len(line) <= maxHeaderLine
}

// signatureForm is one way a signature or a client's sign-off line
// starts: "-- ", "Sent from my iPhone". The line is prefix, then between
// min and max characters, then suffix.
type signatureForm struct {
	prefix, suffix string // lower case
	min, max       int    // in characters
	// word says the prefix is a whole word: the character after it, if
	// any, is not a letter or digit.
	word bool
}

// signatureForms are the signature starts mailbag knows, in the languages
// readers write in.
var signatureForms = []signatureForm{
	{prefix: "--"}, {prefix: "__"},
	{prefix: "sent from my ", min: 1, max: 40},
	{prefix: "sent from outlook", max: maxHeaderLine, word: true},
	{prefix: "sent from yahoo mail", max: maxHeaderLine, word: true},
	{prefix: "sent from mail for windows", max: maxHeaderLine, word: true},
	{prefix: "get outlook for ", min: 1, max: 20},
	{prefix: "envoyé de mon ", min: 1, max: 40},
	{prefix: "von meinem ", suffix: " gesendet", min: 1, max: 40},
	{prefix: "enviado desde mi ", min: 1, max: 40},
	{prefix: "inviato da ", min: 1, max: 40},
	{prefix: "отправлено с ", min: 1, max: 40},
	{prefix: "envoyé depuis mon ", min: 1, max: 40},
	{prefix: "gesendet von meinem ", min: 1, max: 40},
	{prefix: "enviado do meu ", min: 1, max: 40},
	{prefix: "verzonden vanaf mijn ", min: 1, max: 40},
	{prefix: "verstuurd vanaf mijn ", min: 1, max: 40},
	{prefix: "skickat från min ", min: 1, max: 40},
	{prefix: "sendt fra min ", min: 1, max: 40},
	{prefix: "lähetetty ", suffix: "sta", min: 1, max: 40},
	{prefix: "wysłane z mojego ", min: 1, max: 40},
	{prefix: "wysłano z mojego ", min: 1, max: 40},
	{prefix: "odesláno z mého ", min: 1, max: 40},
	{prefix: "надіслано з ", min: 1, max: 40},
	{prefix: "στάλθηκε από ", min: 1, max: 40},
	{prefix: "iphone", suffix: "から送信", max: 4},
	{prefix: "iphone", suffix: "'umdan gönderildi", max: 4},
	{prefix: "iphone", suffix: "에서 보냄", max: 4},
	{prefix: "发自我的", min: 1, max: 20},
	{prefix: "從我的 ", suffix: " 傳送", min: 1, max: 20},
}

// signatureFirstBytes are the bytes a signature form's line starts with.
var signatureFirstBytes = func() (first [256]bool) {
	for _, f := range signatureForms {
		first[f.prefix[0]] = true
		first[strings.ToUpper(f.prefix)[0]] = true
	}
	return first
}()

// isSignatureStart reports whether a trimmed line starts a signature.
func isSignatureStart(line string) bool {
	if line == "" || len(line) > maxHeaderLine || !signatureFirstBytes[line[0]] {
		return false
	}
	for _, f := range signatureForms {
		if !hasPrefixFold(line, f.prefix) || !hasSuffixFold(line[len(f.prefix):], f.suffix) {
			continue
		}
		middle := line[len(f.prefix) : len(line)-len(f.suffix)]
		if n := utf8.RuneCountInString(middle); n < f.min || n > f.max {
			continue
		}
		if r, _ := utf8.DecodeRuneInString(middle); f.word && middle != "" && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_') {
			continue
		}
		return true
	}
	return false
}

// hasSuffixFold does what strings.HasSuffix does without regard to case.
func hasSuffixFold(s, suffix string) bool {
	return len(s) >= len(suffix) && strings.EqualFold(s[len(s)-len(suffix):], suffix)
}

// CleanText keeps what the reader wrote: it cuts the text at the first
// reply header or quoted header block, drops quoted lines ("> ..."), cuts
// the signature, trims every line and keeps at most one blank line in a row.
// It does not look for the asker's name in the text.
//
// A reply written between the quoted lines (an inline reply) has unquoted
// text after quoted lines: then the header and the quoted lines go, and the
// reader's lines between them stay.
//
// Its cost is linear in the length of the text: each line is looked at a
// bounded number of times.
func CleanText(text string) string {
	text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
	c := cleaner{lines: strings.Split(text, "\n")}
	var kept []string
	for i := 0; i < len(c.lines); i++ {
		line := strings.TrimRight(c.lines[i], " \t\u00a0")
		trimmed := strings.TrimSpace(line)
		if c.isReplyHeader(i) {
			if c.inlineReplyAfter(i) {
				continue
			}
			break
		}
		if trimmed == "--" || line == "-- " {
			break
		}
		if isSignatureStart(trimmed) && !c.moreTextAfter(i) {
			break
		}
		if strings.HasPrefix(trimmed, ">") {
			continue
		}
		kept = append(kept, line)
	}
	return tidyLines(strings.Join(kept, "\n"))
}

// cleaner holds a text's lines and what CleanText learns of them by
// scanning once from the end, when it first needs it.
type cleaner struct {
	lines []string
	// inline[i] says whether lines[i:] hold unquoted text after a quoted
	// line; next[i] is the first line after i that is neither blank nor
	// quoted (len(lines) when none).
	inline []bool
	next   []int
	// header[i] caches isReplyHeader(i): 0 not known, 1 yes, 2 no.
	header []byte
}

// scan fills inline and next, once.
func (c *cleaner) scan() {
	if c.inline != nil {
		return
	}
	n := len(c.lines)
	c.inline, c.next = make([]bool, n+1), make([]int, n+1)
	c.next[n] = n
	text, inline, next := false, false, n
	for j := n - 1; j >= 0; j-- {
		c.next[j] = next
		switch t := strings.TrimSpace(c.lines[j]); {
		case strings.HasPrefix(t, ">"):
			inline = inline || text
		case t != "":
			text, next = true, j
		}
		c.inline[j] = inline
	}
}

// inlineReplyAfter reports whether the lines after the reply header at i
// hold unquoted text between quoted lines.
func (c *cleaner) inlineReplyAfter(i int) bool {
	c.scan()
	return c.inline[i+1]
}

// isReplyHeader reports whether line i starts the quoted history: a reply
// header on the line, or split over it and the next (as Gmail wraps long
// ones), or an Outlook header block.
func (c *cleaner) isReplyHeader(i int) bool {
	if c.header == nil {
		c.header = make([]byte, len(c.lines))
	}
	if c.header[i] == 0 {
		c.header[i] = 2
		if c.replyHeaderAt(i) {
			c.header[i] = 1
		}
	}
	return c.header[i] == 1
}

// replyHeaderAt does what isReplyHeader does, not cached.
func (c *cleaner) replyHeaderAt(i int) bool {
	line := strings.TrimSpace(c.lines[i])
	if line == "" || len(line) > maxHeaderLine {
		return false
	}
	if isReplyHeaderLine(line, "") {
		return true
	}
	if i+1 < len(c.lines) && len(line) > 2 && !strings.HasSuffix(line, ".") {
		if next := strings.TrimSpace(c.lines[i+1]); next != "" && len(next) <= maxHeaderLine && isReplyHeaderLine(line, next) {
			return true
		}
	}
	if hasFieldName(line) && headerBlockStart.MatchString(line) {
		for j := i + 1; j < len(c.lines) && j <= i+3; j++ {
			if next := strings.TrimSpace(c.lines[j]); hasFieldName(next) && headerBlockNext.MatchString(next) {
				return true
			}
		}
	}
	return false
}

// moreTextAfter reports whether a "Sent from my ..." line is followed by
// more of the reader's own text, and so is not a sign-off: only blank
// lines and quoted history may follow one.
func (c *cleaner) moreTextAfter(i int) bool {
	trimmed := strings.TrimSpace(c.lines[i])
	if trimmed == "--" || trimmed == "__" || c.lines[i] == "-- " {
		return false
	}
	c.scan()
	j := c.next[i]
	return j < len(c.lines) && !c.isReplyHeader(j)
}

// subjectPrefix matches reply and forward markers at the start of a
// subject, in several languages, with counters: "Re: ", "Fwd: ", "AW: ",
// "Re[2]: ".
var subjectPrefix = regexp.MustCompile(`(?i)^\s*((re|fwd?|aw|wg|sv|vs|tr|rif|r|odp|antw|ynt|res|enc)(\[\d+\]|\(\d+\))?\s*[:：]\s*)+`)

// cleanSubject removes reply and forward markers from a subject and
// normalises its spaces.
func cleanSubject(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	for {
		t := subjectPrefix.ReplaceAllString(s, "")
		if t == s {
			return strings.TrimSpace(s)
		}
		s = t
	}
}
