package ingest

import (
	"regexp"
	"strings"
)

// replyHeader matches the line a mail client puts above the quoted message
// it replies to, in the languages readers write in: "On Tue, Jim wrote:",
// "Le mardi, Jim a écrit :", "Am Dienstag schrieb Jim:", "-----Original
// Message-----", and so on. Everything from that line down is history.
var replyHeader = regexp.MustCompile(`(?i)^(` + strings.Join([]string{
	`on\b.{0,200}\bwrote:?`,                 // English
	`le\b.{0,200}\ba [ée]crit\s*:?`,         // French
	`am\b.{0,200}\bschrieb.{0,100}:?`,       // German
	`.{0,200}\bschrieb\b.{0,100}:`,          // German, name first
	`el\b.{0,200}\bescribi[óo]:?`,           // Spanish
	`.{0,200}\bha scritto\s*:?`,             // Italian
	`em\b.{0,200}\bescreveu:?`,              // Portuguese
	`op\b.{0,200}\bschreef.{0,100}:?`,       // Dutch
	`.{0,200}\bskrev\b.{0,200}:`,            // Danish, Norwegian, Swedish
	`.{0,200}\bkirjoitti:?`,                 // Finnish
	`.{0,200}(пишет|написал|написала)\s*:?`, // Russian
	`-{2,}\s*(original message|message d'origine|ursprüngliche nachricht|mensaje original|messaggio originale|oprindelig meddelelse|alkuperäinen viesti)\s*-{2,}`,
	`-{2,}\s*forwarded message\s*-{2,}`,
	`_{10,}`, // Outlook's rule above the quoted header
	`begin forwarded message:`,
	`.{0,100}\d.{0,100}<[^<>@\s]+@[^<>\s]+>"?\s*:`, // Gmail in any language: "ср, 30 апр. 2025 г. в 15:19, John <john@example.com>:"
}, "|") + `)\s*$`)

// headerBlockStart matches the first line of a quoted header block that
// Outlook writes instead of an "On ... wrote:" line: "From: Jim".
var headerBlockStart = regexp.MustCompile(`(?i)^\*?(from|von|de|van|da|fra|lähettäjä|от)\s*:\*?\s`)

// headerBlockNext matches a following line of such a block.
var headerBlockNext = regexp.MustCompile(`(?i)^\*?(sent|date|to|subject|gesendet|datum|an|betreff|envoyé|à|objet|enviado|fecha|para|asunto|inviato|data|oggetto|verzonden|aan|onderwerp|sendt|til|emne|lähetetty|vastaanottaja|aihe|отправлено|кому|тема|дата)\s*:`)

// signatureStart matches the line that starts a signature, or a client's
// "Sent from my phone" line.
var signatureStart = regexp.MustCompile(`(?i)^(--|-- |__|sent from my .{1,40}|sent from (outlook|yahoo mail|mail for windows)\b.*|get outlook for .{1,20}|envoyé de mon .{1,40}|von meinem .{1,40} gesendet|enviado desde mi .{1,40}|inviato da .{1,40}|отправлено с .{1,40})$`)

// CleanText keeps what the reader wrote: it cuts the text at the first
// reply header or quoted header block, drops quoted lines ("> ..."), cuts
// the signature, trims every line and keeps at most one blank line in a row.
// It does not look for the asker's name in the text.
//
// A reply written between the quoted lines (an inline reply) has unquoted
// text after quoted lines: then the header and the quoted lines go, and the
// reader's lines between them stay.
func CleanText(text string) string {
	text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
	lines := strings.Split(text, "\n")
	var kept []string
	for i := 0; i < len(lines); i++ {
		line := strings.TrimRight(lines[i], " \t\u00a0")
		trimmed := strings.TrimSpace(line)
		if isReplyHeader(lines, i) {
			if hasInlineReply(lines[i+1:]) {
				continue
			}
			break
		}
		if signatureStart.MatchString(trimmed) && !moreTextAfter(lines, i) {
			break
		}
		if trimmed == "--" || line == "-- " {
			break
		}
		if strings.HasPrefix(trimmed, ">") {
			continue
		}
		kept = append(kept, line)
	}
	return tidyLines(strings.Join(kept, "\n"))
}

// hasInlineReply reports whether lines (those after a reply header) hold
// unquoted text between quoted lines.
func hasInlineReply(lines []string) bool {
	quoted := false
	for _, l := range lines {
		t := strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(t, ">"):
			quoted = true
		case t != "" && quoted:
			return true
		}
	}
	return false
}

// isReplyHeader reports whether line i starts the quoted history: a reply
// header on the line, or split over it and the next (as Gmail wraps long
// ones), or an Outlook header block.
func isReplyHeader(lines []string, i int) bool {
	line := strings.TrimSpace(lines[i])
	if line == "" {
		return false
	}
	if replyHeader.MatchString(line) {
		return true
	}
	if i+1 < len(lines) {
		joined := line + " " + strings.TrimSpace(lines[i+1])
		if len(line) > 2 && replyHeader.MatchString(joined) && !strings.HasSuffix(line, ".") {
			return true
		}
	}
	if headerBlockStart.MatchString(line) {
		for j := i + 1; j < len(lines) && j <= i+3; j++ {
			if headerBlockNext.MatchString(strings.TrimSpace(lines[j])) {
				return true
			}
		}
	}
	return false
}

// moreTextAfter reports whether a "Sent from my ..." line is followed by
// more of the reader's own text, and so is not a sign-off: only blank
// lines and quoted history may follow one.
func moreTextAfter(lines []string, i int) bool {
	trimmed := strings.TrimSpace(lines[i])
	if trimmed == "--" || trimmed == "__" || lines[i] == "-- " {
		return false
	}
	for j := i + 1; j < len(lines); j++ {
		t := strings.TrimSpace(lines[j])
		if t == "" || strings.HasPrefix(t, ">") {
			continue
		}
		return !isReplyHeader(lines, j)
	}
	return false
}

// subjectPrefix matches reply and forward markers at the start of a
// subject, in several languages, with counters: "Re: ", "Fwd: ", "AW: ",
// "Re[2]: ".
var subjectPrefix = regexp.MustCompile(`(?i)^\s*((re|fwd?|aw|wg|sv|vs|tr|rif|r|odp|antw|ynt|res|enc)(\[\d+\]|\(\d+\))?\s*[:：]\s*)+`)

// CleanSubject removes reply and forward markers from a subject and
// normalises its spaces.
func CleanSubject(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	for {
		t := subjectPrefix.ReplaceAllString(s, "")
		if t == s {
			return strings.TrimSpace(s)
		}
		s = t
	}
}
