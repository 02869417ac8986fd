package mailmsg

import (
	"encoding/base64"
	"fmt"
	"mailbag/questions"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"
)

// rawMail makes a raw message from header lines and a body.
func rawMail(header, body string) []byte {
	if !strings.Contains(header, "Message-ID:") {
		header += "\nMessage-ID: <t@example.net>"
	}
	return []byte(strings.ReplaceAll(header, "\n", "\r\n") + "\r\n\r\n" + strings.ReplaceAll(body, "\n", "\r\n"))
}

// classifierExamples are, for each rule of the classifier, messages it
// must catch: what real mail systems send (shortened).
var classifierExamples = map[string][]string{
	"own": {string(rawMail("From: Ask <ASK@example.org>\nSubject: Issue 12", "This week's answer."))},
	"arf": {"file:php-bounce-handler/fbl-aol.txt", "file:php-bounce-handler/arf1.txt"},
	"hotmail-jmrp": {
		"file:php-bounce-handler/fbl-hotmail.txt", "file:php-bounce-handler/arf6.txt",
	},
	"dsn": {"file:php-bounce-handler/exchange1.eml", "file:php-bounce-handler/61.eml"},
	"json-bounce": {string(rawMail("From: AWS Notifications <sns@example.com>\nSubject: AWS Notification Message",
		`{"notificationType":"Bounce","bounce":{"bounceType":"Permanent","bouncedRecipients":[{"emailAddress":"gone@example.net","action":"failed","status":"5.1.1"}]},"mail":{"source":"ask@example.org"}}`)),
		string(rawMail("From: Notifications <sns@example.com>\nSubject: Notification",
			`{"Type":"Notification","Message":"{\"eventType\":\"Bounce\",\"bounce\":{\"bouncedRecipients\":[{\"emailAddress\":\"x@example.net\"}]}}"}`))},
	"json-complaint": {string(rawMail("From: AWS Notifications <sns@example.com>\nSubject: AWS Notification Message",
		`{"notificationType":"Complaint","complaint":{"complainedRecipients":[{"emailAddress":"Angry@Example.net"}]}}`))},
	"daemon-sender": {"file:php-bounce-handler/1.eml",
		string(rawMail("From: Mail Delivery Subsystem <mailer@example.net>\nSubject: Notice", "Your mail to a@b.example was not sent."))},
	"failed-recipients": {string(rawMail("From: System <system@example.net>\nX-Failed-Recipients: gone@example.net\nSubject: Re: your issue", "It failed."))},
	"bounce-subject": {
		string(rawMail("From: System <system@example.net>\nSubject: failure notice", "Hi. Sorry.")),
		string(rawMail("From: System <system@example.net>\nSubject: Returned mail: see transcript for details", "The original message was received.")),
		string(rawMail("From: System <system@example.net>\nSubject: Undeliverable: Your weekly answer", "Delivery has failed.")),
		string(rawMail("From: System <system@example.net>\nSubject: Delivery Status Notification (Failure)", "Failed.")),
		string(rawMail("From: Carrier <mms@mms.example.com>\nSubject: MMS delivery failed", "The message could not be delivered to the handset.")),
		string(rawMail("From: =?ISO-2022-JP?B?GyRCJWEhPCVrJTUhPCVQGyhC?= <info@example.jp>\nSubject: =?UTF-8?B?44Oh44O844Or6YWN5L+h44Ko44Op44O8?=", "送信先が見つかりません。")),
		string(rawMail("From: System <system@example.net>\nSubject: Warning: message 1GdV3O-0002RD-H2 delayed 72 hours", "Still trying.")),
	},
	"bounce-text": {
		string(rawMail("From: System <system@example.net>\nSubject: Your message", "Hi. This is the qmail-send program at mail.example.net.\nI'm afraid I wasn't able to deliver your message to the following addresses.")),
		string(rawMail("From: System <system@example.net>\nSubject: Notice", "This message was created automatically by mail delivery software.\n\nA message that you sent could not be delivered.")),
		string(rawMail("From: System <system@example.net>\nSubject: お知らせ", "このメールは配信できませんでした。")),
	},
	"list-robot": {
		string(rawMail("From: golang-nuts-owner@example.org\nSubject: Your message", "Rejected.")),
		string(rawMail("From: list@example.org\nSubject: You are not a member of the list", "Only members may post.")),
		string(rawMail("From: LISTSERV <listserv@example.edu>\nSubject: Re: subscribe", "OK.")),
		string(rawMail("From: robot@example.org\nSubject: Loop alert: your message", "A loop was detected.")),
		string(rawMail("From: list@example.org\nSubject: Your message to Foo awaits moderator approval", "Held.")),
	},
	"no-reply-sender": {
		string(rawMail("From: Shop <no-reply@shop.example>\nSubject: Your order", "Thanks for your order.")),
		string(rawMail("From: Do Not Reply <DoNotReply@bank.example>\nSubject: Alert", "A new statement.")),
	},
	"unsubscribe":      {string(rawMail("From: Ana <ana@example.net>\nSubject: unsubscribe", "Please take me off."))},
	"auto-submitted":   {string(rawMail("From: Ana <ana@example.net>\nAuto-Submitted: auto-replied\nSubject: Re: Issue 12", "I am away."))},
	"autoreply-header": {string(rawMail("From: Ana <ana@example.net>\nX-Autoreply: yes\nSubject: Re: Issue 12", "I am away."))},
	"precedence":       {string(rawMail("From: Ana <ana@example.net>\nPrecedence: junk\nSubject: Re: Issue 12", "I am away."))},
	"list-headers":     {string(rawMail("From: Ana <ana@example.net>\nList-Id: <golang-nuts.googlegroups.com>\nSubject: generics", "How do I?")), string(rawMail("From: Ana <ana@example.net>\nPrecedence: list\nSubject: generics", "How?"))},
	"out-of-office": {string(rawMail("From: Ana <ana@example.net>\nSubject: Out of Office: Re: Issue 12", "Back on Monday.")), string(rawMail("From: Ana <ana@example.net>\nSubject: Automatische Antwort: Abwesenheitsnotiz", "Bis Montag.")),
		string(rawMail("From: Ana <ana@example.pl>\nSubject: Odpowiedź automatyczna: Re: Pytanie", "Wracam w poniedziałek.")),
		string(rawMail("From: Ana <ana@example.ru>\nSubject: =?UTF-8?B?0JDQstGC0L7QvNCw0YLQuNGH0LXRgdC60LjQuSDQvtGC0LLQtdGCOiBSZTog0JLQvtC/0YDQvtGB?=", "Вернусь в понедельник.")),
		string(rawMail("From: Ana <ana@example.jp>\nSubject: 自動応答: Re: 質問", "月曜日に戻ります。")),
		string(rawMail("From: Ana <ana@example.com.tr>\nSubject: Otomatik yanıt: Re: Soru", "Pazartesi döneceğim.")),
	},
	"no-text": {string(rawMail("From: Ana <ana@example.net>\nSubject: Re: Issue 12", "> only the quote\n"))},
}

// TestClassifierRules: each rule catches its examples, saying so in the
// reason; every rule of the table has examples.
func TestClassifierRules(t *testing.T) {
	for _, r := range rules {
		examples := classifierExamples[r.name]
		if len(examples) == 0 {
			t.Errorf("rule %q has no example", r.name)
		}
		for i, ex := range examples {
			raw := []byte(ex)
			if name, ok := strings.CutPrefix(ex, "file:"); ok {
				var err error
				if raw, err = os.ReadFile(filepath.Join("../../testdata/corpora/mail", name)); err != nil {
					t.Fatal(err)
				}
			}
			m, err := Parse(raw)
			if err != nil {
				t.Fatalf("%s example %d: %v", r.name, i, err)
			}
			kind, reason := classify(m, "ask@example.org", CleanText(m.Text))
			if kind != r.kind || !strings.HasSuffix(reason, "(rule "+r.name+")") {
				t.Errorf("%s example %d (%q): %s, %q; want %s by the rule %s", r.name, i, m.Subject, kind, reason, r.kind, r.name)
			}
		}
	}
	for name := range classifierExamples {
		found := false
		for _, r := range rules {
			found = found || r.name == name
		}
		if !found {
			t.Errorf("examples for %q, which is no rule", name)
		}
	}
}

// TestClassifierKeepsQuestions: readers' mail that comes near a rule's
// words is still a question.
func TestClassifierKeepsQuestions(t *testing.T) {
	questions := []string{
		string(rawMail("From: Ana <ana@example.net>\nSubject: Re: Issue 12", "Why do my mails to my boss come back undeliverable?")),
		string(rawMail("From: Ana <ana@example.net>\nSubject: Returned goods at work", "My manager returned my report twice.")),
		string(rawMail("From: Ana <ana@example.net>\nSubject: Warning: message overload", "I get 300 messages a day.")),
		string(rawMail("From: Ana <ana@example.net>\nSubject: Absence of feedback", "My manager never says anything.")),
		string(rawMail("From: owner@mybakery.example\nSubject: Hiring", "How do I hire my first baker?")),
		string(rawMail("From: Jo <jo@example.net>\nSubject: I am not a member of any team", "How do I find one?")),
		string(rawMail("From: Jo <jo@example.net>\nSubject: Unsubscribe from meetings?", "Can I leave recurring meetings?")),
		string(rawMail("From: Jo <jo@example.net>\nSubject: JSON at work", `{"notificationType":"question"} is what our API sends: is that good design?`)),
		string(rawMail("From: Jo <jo@example.net>\nAuto-Submitted: no\nSubject: Re: Issue 12", "A real question?")),
	}
	for _, q := range questions {
		m, err := Parse([]byte(q))
		if err != nil {
			t.Fatal(err)
		}
		if kind, reason := classify(m, "ask@example.org", CleanText(m.Text)); kind != "" {
			t.Errorf("%q: %s (%s), want a question", m.Subject, kind, reason)
		}
	}
}

// hotmailComplainants are whom Hotmail's reports in the corpus name.
var hotmailComplainants = map[string]string{
	"fbl-hotmail.txt":   "somerecipient@hotmail.com",
	"hotmailbounce.txt": "spamreportinguser@hotmail.com",
	"arf6.txt":          "masterblastervarun@hotmail.com",
}

// TestBounceCorpusIsNeverAQuestion: every message of the bounce handler's
// corpus (bounces from many mail systems, complaints of four providers,
// and a log of an unsubscribe request) is set aside, as the kind it is.
func TestBounceCorpusIsNeverAQuestion(t *testing.T) {
	files, _ := filepath.Glob("../../testdata/corpora/mail/php-bounce-handler/*")
	if len(files) != 79 {
		t.Fatalf("%d files, want the corpus's 79", len(files))
	}
	o := Options{OwnAddress: "ask@example.org"}
	for _, path := range files {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		q := Question(raw, int64(len(raw)), o)
		name := filepath.Base(path)
		var want questions.Kind
		switch {
		case name == "unsubscribe.txt": // a PHP log around a forwarded message, not mail
			want = questions.KindUnreadable
		case strings.HasPrefix(name, "arf"), strings.HasPrefix(name, "fbl-"), name == "hotmailbounce.txt":
			want = questions.KindComplaint
		default:
			want = questions.KindBounce
		}
		if q.Status != questions.StatusIgnored || q.Kind != want {
			t.Errorf("%s: %s/%s (%s), want ignored/%s", name, q.Status, q.Kind, q.Reason, want)
		}
		if who, ok := hotmailComplainants[name]; ok {
			if rs := q.Report.Recipients; len(rs) != 1 || rs[0] != (questions.Recipient{Address: who, Action: questions.ActionComplained}) {
				t.Errorf("%s: complainants %+v, want %s", name, rs, who)
			}
		}
	}
}

// TestRecipientsOfPlainNotices: the failed and complaining recipients of
// notices without a report part are read too: X-Failed-Recipients (Exim),
// JSON notifications.
func TestRecipientsOfPlainNotices(t *testing.T) {
	exim, err := os.ReadFile("../../testdata/corpora/mail/php-bounce-handler/11.eml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		raw  []byte
		want questions.Recipient
	}{
		{exim, questions.Recipient{Address: "anitaculiyas@hotmail.com", Action: "failed"}},
		{[]byte(classifierExamples["failed-recipients"][0]), questions.Recipient{Address: "gone@example.net", Action: "failed"}},
		{[]byte(classifierExamples["json-bounce"][0]), questions.Recipient{Address: "gone@example.net", Action: "failed", Status: "5.1.1"}},
		{[]byte(classifierExamples["json-bounce"][1]), questions.Recipient{Address: "x@example.net", Action: "failed"}},
		{[]byte(classifierExamples["json-complaint"][0]), questions.Recipient{Address: "angry@example.net", Action: questions.ActionComplained}},
	}
	o := Options{OwnAddress: "ask@example.org"}
	for i, tt := range tests {
		q := Question(tt.raw, int64(len(tt.raw)), o)
		if rs := q.Report.Recipients; len(rs) != 1 || rs[0] != tt.want {
			t.Errorf("%d (%s): %+v, want %+v", i, q.Kind, rs, tt.want)
		}
	}
}

// TestNoAutoReply: RFC 3834's signs that no automatic reply may go to a
// message are recorded with the question, whatever its kind.
func TestNoAutoReply(t *testing.T) {
	tests := []struct{ header, want string }{
		{"From: Ana <ana@example.net>\nSubject: How?", ""},
		{"From: Ana <ana@example.net>\nReturn-Path: <>\nSubject: How?", "Return-Path: <> (a null sender)"},
		{"From: Ana <ana@example.net>\nPrecedence: List\nSubject: How?", "Precedence: list"},
		{"From: Ana <ana@example.net>\nAuto-Submitted: auto-generated\nSubject: How?", "Auto-Submitted: auto-generated"},
		{"From: Ana <ana@example.net>\nAuto-Submitted: no\nSubject: How?", ""},
		{"From: Ana <ana@example.net>\nList-Unsubscribe: <mailto:x@example.net>\nSubject: How?", "a list header (List-Unsubscribe)"},
		{"From: Ana <ana@example.net>\nList-Post: <mailto:x@example.net>\nSubject: How?", "a list header (List-Post)"},
	}
	o := Options{OwnAddress: "ask@example.org"}
	for _, tt := range tests {
		raw := rawMail(tt.header, "How do I say no to my manager?")
		if q := Question(raw, int64(len(raw)), o); q.NoAutoReply != tt.want {
			t.Errorf("%q: %q, want %q", tt.header, q.NoAutoReply, tt.want)
		}
	}
}

// A body with a byte-order mark is read in the encoding the mark names,
// whatever the header says: UTF-16 and UTF-32 in either byte order,
// labelled UTF-8 or not labelled.
func TestBodiesWithAByteOrderMark(t *testing.T) {
	text := "Grüße aus Köln: is on-call 24/7 fair? 東京"
	utf16 := func(big bool) []byte {
		var out []byte
		if big {
			out = []byte{0xfe, 0xff}
		} else {
			out = []byte{0xff, 0xfe}
		}
		for _, u := range utf16.Encode([]rune(text)) {
			if big {
				out = append(out, byte(u>>8), byte(u))
			} else {
				out = append(out, byte(u), byte(u>>8))
			}
		}
		return out
	}
	utf32 := func(big bool) []byte {
		var out []byte
		if big {
			out = []byte{0, 0, 0xfe, 0xff}
		} else {
			out = []byte{0xff, 0xfe, 0, 0}
		}
		for _, r := range text {
			if big {
				out = append(out, byte(r>>24), byte(r>>16), byte(r>>8), byte(r))
			} else {
				out = append(out, byte(r), byte(r>>8), byte(r>>16), byte(r>>24))
			}
		}
		return out
	}
	for name, body := range map[string][]byte{
		"utf-16le": utf16(false), "utf-16be": utf16(true), "utf-32le": utf32(false), "utf-32be": utf32(true),
		"utf-8 with a mark": append([]byte{0xef, 0xbb, 0xbf}, text...),
	} {
		for _, ct := range []string{"text/plain; charset=utf-8", "text/plain"} {
			raw := "From: a@example.net\r\nSubject: BOM\r\nContent-Type: " + ct + "\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
				base64.StdEncoding.EncodeToString(body) + "\r\n"
			m, err := Parse([]byte(raw))
			if err != nil {
				t.Fatal(err)
			}
			if strings.TrimSpace(m.Text) != text {
				t.Errorf("%s as %q: %q", name, ct, m.Text)
			}
		}
	}
}

// The Message-IDs a reply names are read from In-Reply-To and References,
// each once, bounded in number and length; junk between them is skipped.
func TestMessageIDs(t *testing.T) {
	long := strings.Repeat("x", maxRefLen+1) + "@example.net"
	many := ""
	for i := range questions.MaxRefs + 5 {
		many += fmt.Sprintf(" <m%d@example.net>", i)
	}
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"<a@example.net>", []string{"a@example.net"}},
		{"<a@example.net> <b@example.net>\r\n\t<a@example.net>", []string{"a@example.net", "b@example.net"}},
		{"junk <a@example.net> (comment) <> < > <" + long + "> <b@x", []string{"a@example.net"}},
		{"", nil},
		{many, func() (out []string) {
			for i := 5; i < questions.MaxRefs+5; i++ {
				out = append(out, fmt.Sprintf("m%d@example.net", i))
			}
			return out
		}()},
	} {
		if got := messageIDs(c.in); !slices.Equal(got, c.want) {
			t.Errorf("messageIDs(%.60q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// A format=flowed body (RFC 3676, as Thunderbird and Apple Mail send it)
// is read as its writer typed it: each paragraph one line, quotes kept,
// the signature separator left alone.
func TestFormatFlowed(t *testing.T) {
	body := "We run a small team and the on-call \r\nrotation is getting heavy. \r\nPeople are tired.\r\n\r\n> You said toil should be \r\n> under half.\r\n\r\n-- \r\nOlga\r\n"
	raw := "From: olga@example.net\r\nSubject: Toil\r\nContent-Type: text/plain; charset=utf-8; format=flowed\r\n\r\n" + body
	m, err := Parse([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	want := "We run a small team and the on-call rotation is getting heavy. People are tired.\n\n> You said toil should be under half.\n\n-- \nOlga\n"
	if m.Text != want {
		t.Errorf("flowed text:\n%q\nwant\n%q", m.Text, want)
	}
	m, _ = Parse([]byte(strings.Replace(raw, "format=flowed", "format=flowed; delsp=yes", 1)))
	if !strings.HasPrefix(m.Text, "We run a small team and the on-callrotation") {
		t.Errorf("delsp=yes: the soft break's space is kept: %q", m.Text)
	}
}
