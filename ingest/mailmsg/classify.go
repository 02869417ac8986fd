package mailmsg

import (
	"encoding/json"
	"mailbag/internal/mailaddr"
	"mailbag/questions"
	"regexp"
	"strings"

	"github.com/emersion/go-message"
)

// classify says whether a parsed message is a reader's question: it
// returns "" for a question, else the kind of message it is and the
// reason, in words, naming the rule that matched. ownAddress is the
// newsletter's address (mail from it is never a question); cleaned is the
// message's text as CleanText leaves it. It looks at the header and the
// text only.
//
// The rules are the table rules, tried in order; the first that matches
// decides. They follow RFC 3834 (automatic responses), RFC 2369 and 2919
// (list headers), RFC 3464 (delivery status reports) and RFC 5965
// (feedback reports), and what mail systems send instead of those: plain
// "failure notice" mail, mailing-list robots, carriers' notices, JSON
// notifications of sending services.

func classify(m *Message, ownAddress, cleaned string) (questions.Kind, string) {
	local, _, _ := strings.Cut(m.FromAddr, "@")
	opening := m.Text
	if len(opening) > 1500 {
		opening = opening[:1500]
	}
	c := classified{
		Message: m, own: mailaddr.Key(ownAddress), cleaned: cleaned,
		local: local, subject: folded(m.Subject), opening: folded(opening),
	}
	for _, r := range rules {
		if why, ok := r.match(&c); ok {
			return r.kind, why + " (rule " + r.name + ")"
		}
	}
	return "", ""
}

// classified is a message on its way through the rules, with what they
// share worked out once.
type classified struct {
	*Message
	own     string // the newsletter's address, lower case
	cleaned string // the reader's text, as CleanText leaves it
	local   string // the part of the sender's address before the @
	subject string // the subject in lower case, spaces folded
	opening string // the start of the text, likewise: where mail systems say what they are
}

// folded returns s in lower case, its runs of white space one space each.
func folded(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// firstMatch returns the first of patterns that match(s, pattern) holds for.
func firstMatch(s string, patterns []string, match func(s, pattern string) bool) (string, bool) {
	for _, p := range patterns {
		if match(s, p) {
			return p, true
		}
	}
	return "", false
}

func equal(a, b string) bool { return a == b }

// noAutoReply says why no automatic reply may go to a message, following
// RFC 3834, 2: a null Return-Path (a report), Precedence bulk, list or
// junk, Auto-Submitted other than "no", a list header (RFC 2369, 2919);
// "" when one may.
func noAutoReply(h message.Header) string {
	if strings.TrimSpace(h.Get("Return-Path")) == "<>" {
		return "Return-Path: <> (a null sender)"
	}
	switch p := strings.ToLower(strings.TrimSpace(h.Get("Precedence"))); p {
	case "bulk", "list", "junk":
		return "Precedence: " + p
	}
	if v := strings.ToLower(strings.TrimSpace(h.Get("Auto-Submitted"))); v != "" && v != "no" {
		return "Auto-Submitted: " + v
	}
	for _, k := range []string{"List-Id", "List-Unsubscribe", "List-Post", "List-Help", "List-Subscribe", "List-Owner", "List-Archive"} {
		if h.Get(k) != "" {
			return "a list header (" + k + ")"
		}
	}
	return ""
}

// rule is one way to tell a message that is not a reader's question.
type rule struct {
	name  string // short, unique: in the reason stored, and in the tests
	kind  questions.Kind
	match func(c *classified) (why string, ok bool)
}

// tokenShape matches a subscriber token as List-Unsubscribe's mailto:
// writes it after "unsubscribe": the enciphered ID (22 characters of
// base64url; a base-36 ID in older versions' mail), a dot, base64url.
var tokenShape = regexp.MustCompile(`^([0-9a-z]{1,13}|[A-Za-z0-9_-]{22})\.[A-Za-z0-9_-]{1,64}$`)

// noReplyLocals are the local parts of addresses that take no replies,
// without separators (separators).
var noReplyLocals = []string{"noreply", "donotreply", "donotrespond", "noresponse", "autoreply", "autoresponder", "notifications", "notification", "bounce", "bounces"}

// separators drops the separators of a local part ("no-reply", "do_not.reply").
var separators = strings.NewReplacer("-", "", "_", "", ".", "")

// rules are the classifier, in the order they are tried. Each has a test
// of its own (TestClassifierRules).
var rules = []rule{
	{"own", questions.KindOwn, func(c *classified) (string, bool) {
		return "sent from the newsletter's own address", c.own != "" && c.FromAddr == c.own
	}},
	{"arf", questions.KindComplaint, func(c *classified) (string, bool) {
		return "an abuse report (feedback-report)", c.ContentType == "multipart/report" && c.ReportType == "feedback-report"
	}},
	{"hotmail-jmrp", questions.KindComplaint, func(c *classified) (string, bool) {
		jmrp := c.Header.Get("X-HmXmrOriginalRecipient") != "" ||
			(c.FromAddr == "staff@hotmail.com" && strings.HasPrefix(c.subject, "complaint about message from"))
		return "an abuse report (Hotmail's junk mail reporting)", jmrp
	}},
	{"dsn", questions.KindBounce, func(c *classified) (string, bool) {
		return "a delivery status report", c.ContentType == "multipart/report" &&
			(c.ReportType == "delivery-status" || c.ReportType == "global-delivery-status" || c.ReportType == "")
	}},
	{"json-bounce", questions.KindBounce, func(c *classified) (string, bool) {
		return "a delivery failure notice in JSON (" + c.json.what + ")", c.isJSON && c.json.kind == questions.KindBounce
	}},
	{"json-complaint", questions.KindComplaint, func(c *classified) (string, bool) {
		return "an abuse report in JSON (" + c.json.what + ")", c.isJSON && c.json.kind == questions.KindComplaint
	}},
	{"daemon-sender", questions.KindBounce, func(c *classified) (string, bool) {
		switch c.local {
		case "mailer-daemon", "mailerdaemon", "mail-daemon", "postmaster", "mailer", "mail.daemon":
			return "a notice from " + c.FromAddr, true
		}
		name := strings.ToLower(c.FromName)
		return "a notice from " + c.FromName, strings.HasPrefix(name, "mail delivery") || name == "mailer-daemon" || name == "postmaster"
	}},
	{"failed-recipients", questions.KindBounce, func(c *classified) (string, bool) {
		return "a delivery failure (X-Failed-Recipients)", c.Header.Get("X-Failed-Recipients") != ""
	}},
	{"bounce-subject", questions.KindBounce, func(c *classified) (string, bool) {
		s := c.subject
		if p, ok := firstMatch(s, bounceSubjects, strings.HasPrefix); ok {
			return "a delivery failure notice (" + p + ")", true
		}
		if w, ok := firstMatch(s, bounceSubjectWords, strings.Contains); ok {
			return "a delivery failure notice (" + w + ")", true
		}
		if strings.HasPrefix(s, "warning: message") && strings.Contains(s, "delayed") { // Exim
			return "a delivery delay notice (warning: message ... delayed)", true
		}
		return "", false
	}},
	{"bounce-text", questions.KindBounce, func(c *classified) (string, bool) {
		p, ok := firstMatch(c.opening, bounceOpenings, strings.Contains)
		return "a delivery failure notice (\"" + p + "\")", ok
	}},
	{"list-robot", questions.KindList, func(c *classified) (string, bool) {
		_, robot := firstMatch(c.local, listRobots, equal)
		_, prefixed := firstMatch(c.local, listRobotAffixes, strings.HasPrefix)
		_, suffixed := firstMatch(c.local, listRobotAffixes, strings.HasSuffix)
		if robot || prefixed || suffixed {
			return "a mailing list's robot (" + c.FromAddr + ")", true
		}
		p, ok := firstMatch(c.subject, listRobotSubjects, strings.Contains)
		return "a mailing list's robot (\"" + p + "\")", ok
	}},
	{"no-reply-sender", questions.KindAutoReply, func(c *classified) (string, bool) {
		_, ok := firstMatch(separators.Replace(c.local), noReplyLocals, equal)
		return "sent from an address that takes no replies (" + c.FromAddr + ")", ok
	}},
	{"unsubscribe", questions.KindUnsubscribe, func(c *classified) (string, bool) {
		f := strings.Fields(cleanSubject(c.Subject))
		request := len(f) == 1 || (len(f) == 2 && tokenShape.MatchString(f[1])) // "Unsubscribe etiquette?" is a question
		return "an unsubscribe request (the mailto: of List-Unsubscribe)", request && strings.EqualFold(f[0], "unsubscribe")
	}},
	{"auto-submitted", questions.KindAutoReply, func(c *classified) (string, bool) {
		v := strings.ToLower(strings.TrimSpace(c.Header.Get("Auto-Submitted")))
		return "Auto-Submitted: " + v, v != "" && v != "no"
	}},
	{"autoreply-header", questions.KindAutoReply, func(c *classified) (string, bool) {
		for _, k := range []string{"X-Autoreply", "X-Autorespond", "X-Autoresponse", "X-Autogenerated"} {
			if c.Header.Get(k) != "" {
				return k + " header", true
			}
		}
		return "", false
	}},
	{"precedence", questions.KindAutoReply, func(c *classified) (string, bool) {
		switch p := strings.ToLower(strings.TrimSpace(c.Header.Get("Precedence"))); p {
		case "bulk", "junk", "auto_reply":
			return "Precedence: " + p, true
		}
		return "", false
	}},
	{"list-headers", questions.KindList, func(c *classified) (string, bool) {
		if p := strings.ToLower(strings.TrimSpace(c.Header.Get("Precedence"))); p == "list" {
			return "Precedence: list", true
		}
		if id := c.Header.Get("List-Id"); id != "" {
			return "from a mailing list (" + headerDecoder{}.decode(id) + ")", true
		}
		return "", false
	}},
	{"out-of-office", questions.KindAutoReply, func(c *classified) (string, bool) {
		p, ok := firstMatch(c.subject, outOfOffice, strings.Contains)
		return "an out-of-office reply (" + p + ")", ok
	}},
	{"no-text", questions.KindNoText, func(c *classified) (string, bool) {
		return "no readable text", strings.TrimSpace(c.cleaned) == ""
	}},
}

// bounceSubjects start the subjects of delivery failure notices that come
// without a report part: sendmail's, qmail's, Exim's, Postfix's,
// Exchange's, Lotus Notes', carriers'. They are lower case.
var bounceSubjects = []string{
	"undeliverable:", "undeliverable mail", "undelivered mail", "undeliverable message", "undelivered message",
	"delivery status notification", "delivery notification", "delivery failure", "delivery has failed",
	"mail delivery failed", "mail delivery failure", "mail delivery system", "failure notice", "failure delivery",
	"returned mail", "return mail", "message not delivered", "message delivery failure", "non-delivery",
	"nondeliverable", "non delivery", "delivery final failure", "could not send message", "mail system error",
	"delayed mail", "delivery delayed", "message delayed", "mail could not be delivered",
	"your message could not be delivered", "message could not be delivered", "unable to deliver",
	"mms delivery failed", "mms delivery failure", "mms message not delivered", "sms delivery failed",
	"**message you sent blocked", "delivery report:",
	"nicht zustellbar", "unzustellbar", "non recapitabile", "mensaje no entregado", "no se puede entregar",
	"non remis", "non distribuable", "onbestelbaar",
}

// bounceSubjectWords are in the subjects of notices in languages whose
// subjects do not start alike (Japanese, Chinese, Korean): lower case.
var bounceSubjectWords = []string{
	"配信エラー", "配送エラー", "送信エラー", "配信不能", "配送不能", "不達", "宛先不明", "エラーメール", "メールが届きませんでした", "返送されました",
	"退信", "投递失败", "無法投遞", "전송 실패", "반송",
}

// bounceOpenings start the text of delivery failure notices: what the mail
// system says of itself. A person writing to a newsletter does not.
var bounceOpenings = []string{
	"this is the qmail-send program", "this is the mail system at host", "this message was created automatically by mail delivery software",
	"i'm afraid i wasn't able to deliver your message", "i'm sorry to have to inform you that your message could not",
	"the following addresses had permanent fatal errors", "your message did not reach some or all of the intended recipients",
	"delivery to the following recipients failed", "delivery to the following recipient failed",
	"the original message was received at", "a message that you sent could not be delivered",
	"your message could not be delivered", "your message was not delivered", "could not be delivered to one or more recipients",
	"delivery has failed to these recipients", "this is an automatically generated delivery status notification",
	"message delivery to the following address", "the mms message you sent", "your mms message", "your multimedia message",
	"this is an automated message from the mail delivery system",
	"メールは配信されませんでした", "配信できませんでした", "送信できませんでした", "宛先のメールアドレスが見つかりません",
}

// listRobots and listRobotAffixes are the local parts of mailing-list
// software's own addresses: "mailman", "list-request", "owner-list".
var (
	listRobots       = []string{"mailman", "majordomo", "listserv", "listproc", "ezmlm", "sympa", "lyris"}
	listRobotAffixes = []string{"-request", "-owner", "owner-", "-bounces", "-admin"}
)

// listRobotSubjects are in the subjects mailing-list robots write, lower
// case.
var listRobotSubjects = []string{
	"you are not a member", "you are not subscribed", "is not subscribed to",
	"loop alert", "mail loop detected", "awaits moderator approval", "awaiting moderator approval",
	"requires moderator approval", "post by non-member", "posting by non-member", "non-member submission",
	"your message has been held", "message held for moderation", "majordomo results", "listserv results",
	"confirm your subscription to", "subscription confirmation", "welcome to the mailing list",
}

// outOfOffice are in the subjects of absence replies, lower case: the
// words mail programs put there in the languages readers write in (a word
// alone, such as "abwesend", could be a reader's question).
var outOfOffice = []string{"out of office", "out of the office", "automatic reply", "auto reply:", "autoreply", "auto-reply",
	"abwesenheitsnotiz", "réponse automatique", "respuesta automática", "fuera de la oficina",
	"risposta automatica", "automatisch antwoord", "automatisk svar", "自動返信", "自动回复",
	"automatische antwort", "fuera de la oficina", "resposta automática",
	"automatiskt svar", "automaattinen vastaus", "odpowiedź automatyczna", "automatyczna odpowiedź",
	"automatická odpověď", "otomatik yanıt", "automatikus válasz", "αυτόματη απάντηση",
	"автоматический ответ", "автоматична відповідь", "自動応答", "自动答复", "자동 회신", "자동 응답",
	"trả lời tự động", "رد تلقائي"}

// jsonReport is what a JSON notification says.
type jsonReport struct {
	kind       questions.Kind // KindBounce or KindComplaint
	what       string         // its type, in its words: "Bounce"
	recipients []questions.Recipient
	messageIDs []string // of the mail it is about, as its "mail" object gives them
}

// readJSONReport reads the JSON bounce and complaint notifications that
// sending services mail (notificationType or eventType "Bounce" or
// "Complaint", with the recipients), plain or wrapped in an envelope whose
// "Message" holds them as a string.
func readJSONReport(text string) (jsonReport, bool) {
	text = strings.TrimSpace(text)
	if !strings.HasPrefix(text, "{") || len(text) > maxTextPart {
		return jsonReport{}, false
	}
	var n struct {
		Message          string
		NotificationType string `json:"notificationType"`
		EventType        string `json:"eventType"`
		Bounce           *struct {
			BouncedRecipients []struct {
				EmailAddress   string `json:"emailAddress"`
				Action         string `json:"action"`
				Status         string `json:"status"`
				DiagnosticCode string `json:"diagnosticCode"`
			} `json:"bouncedRecipients"`
		} `json:"bounce"`
		Complaint *struct {
			ComplainedRecipients []struct {
				EmailAddress string `json:"emailAddress"`
			} `json:"complainedRecipients"`
		} `json:"complaint"`
		Mail *struct {
			CommonHeaders struct {
				MessageID string `json:"messageId"`
			} `json:"commonHeaders"`
			Headers []struct{ Name, Value string } `json:"headers"`
		} `json:"mail"`
	}
	if err := json.Unmarshal([]byte(text), &n); err != nil {
		return jsonReport{}, false
	}
	if n.Message != "" && n.NotificationType == "" && n.EventType == "" {
		return readJSONReport(n.Message)
	}
	what := n.NotificationType
	if what == "" {
		what = n.EventType
	}
	var ids []string
	if n.Mail != nil {
		ids = append(ids, n.Mail.CommonHeaders.MessageID)
		for _, h := range n.Mail.Headers {
			if strings.EqualFold(h.Name, "Message-ID") {
				ids = append(ids, h.Value)
			}
		}
	}
	switch strings.ToLower(what) {
	case "bounce":
		r := jsonReport{kind: questions.KindBounce, what: what, messageIDs: ids}
		if n.Bounce != nil {
			for _, b := range n.Bounce.BouncedRecipients {
				action := strings.ToLower(b.Action)
				if action == "" {
					action = "failed"
				}
				r.recipients = append(r.recipients, questions.Recipient{Address: mailaddr.Key(b.EmailAddress), Action: action, Status: b.Status})
			}
		}
		return r, true
	case "complaint":
		r := jsonReport{kind: questions.KindComplaint, what: what, messageIDs: ids}
		if n.Complaint != nil {
			for _, c := range n.Complaint.ComplainedRecipients {
				r.recipients = append(r.recipients, questions.Recipient{Address: mailaddr.Key(c.EmailAddress), Action: questions.ActionComplained})
			}
		}
		return r, true
	}
	return jsonReport{}, false
}
