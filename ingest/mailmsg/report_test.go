package mailmsg

import (
	"mailbag/questions"
	"os"
	"slices"
	"strings"
	"testing"
)

// reportOf reads raw as ingest does: parsed once, classified, its report
// read from what the parse kept.
func reportOf(t testing.TB, raw []byte) (questions.Kind, questions.Report) {
	t.Helper()
	o := Options{OwnAddress: "ask@example.org"}
	q := Question(raw, int64(len(raw)), o)
	return q.Kind, q.Report
}

func corpusFile(t testing.TB, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile("../../testdata/corpora/mail/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// TestReadPostfixReports: stock Postfix's reports, as it wrote them for a
// client that asked for SMTPUTF8 (RFC 6533: message/global-delivery-status
// and message/global) and for one that did not (RFC 3464), read alike:
// both recipients with their status, and the Message-ID of the mail
// returned.
func TestReadPostfixReports(t *testing.T) {
	want := []questions.Recipient{
		{Address: "gone@example.test", Action: "failed", Status: "5.1.1"},
		{Address: "someone@nowhere.invalid", Action: "failed", Status: "5.4.4"},
	}
	for _, name := range []string{"postfix-smtputf8.eml", "postfix-rfc3464.eml"} {
		raw, err := os.ReadFile("testdata/reports/" + name)
		if err != nil {
			t.Fatal(err)
		}
		kind, r := reportOf(t, raw)
		if kind != questions.KindBounce {
			t.Errorf("%s: kind %q, want a bounce", name, kind)
		}
		slices.SortFunc(r.Recipients, func(a, b questions.Recipient) int { return strings.Compare(a.Address, b.Address) })
		if !slices.Equal(r.Recipients, want) {
			t.Errorf("%s: recipients %+v, want %+v", name, r.Recipients, want)
		}
		if !slices.Contains(r.MessageIDs, "post.1.abc@ask.example.test") {
			t.Errorf("%s: Message-IDs %q, want the returned mail's", name, r.MessageIDs)
		}
	}
}

// TestReadGmailBounce: Gmail's notice, without a report part, names the
// failed address in X-Failed-Recipients and quotes the returned mail's
// header in its text: both are read.
func TestReadGmailBounce(t *testing.T) {
	raw, err := os.ReadFile("testdata/reports/gmail-plain.eml")
	if err != nil {
		t.Fatal(err)
	}
	kind, r := reportOf(t, raw)
	if kind != questions.KindBounce || !slices.Equal(r.Recipients, []questions.Recipient{{Address: "aougoueioaldljgoiuiorghladkgke@example.fr", Action: "failed", Status: "5.1.1"}}) {
		t.Errorf("%s %+v", kind, r.Recipients)
	}
	if !slices.Contains(r.MessageIDs, "45B7FBD7-1218-4FCD-ACA1-4706F111E682@gmail.com") {
		t.Errorf("Message-IDs %q, want the returned mail's", r.MessageIDs)
	}
}

// TestReadCorpusReports: delivery reports from real mail systems in the
// corpus read: their recipients, and the Message-ID of the mail they
// return, wherever the report puts it.
func TestReadCorpusReports(t *testing.T) {
	tests := []struct {
		file string
		want questions.Recipient
		id   string // a Message-ID it names; "" when it returns none
	}{
		{"flanker-messages/bounce/no-mx.eml", questions.Recipient{Address: "user@example.com", Action: "delayed", Status: "4.4.4"}, ""},
		{"mikel-mail-fixtures/multipart_report_emails/report_422.eml", questions.Recipient{Address: "fraser@oooooooo.com.au", Action: "delayed", Status: "4.2.2"}, ""},
		{"flanker-messages/bounce/office365.eml", questions.Recipient{Address: "noname@example.com", Action: "failed", Status: "5.1.10"}, ""},
	}
	for _, tt := range tests {
		kind, r := reportOf(t, corpusFile(t, tt.file))
		if kind != questions.KindBounce || len(r.Recipients) != 1 || r.Recipients[0] != tt.want {
			t.Errorf("%s: %s %+v, want %+v", tt.file, kind, r.Recipients, tt.want)
		}
		if tt.id != "" && !slices.Contains(r.MessageIDs, tt.id) {
			t.Errorf("%s: Message-IDs %q, want %s among them", tt.file, r.MessageIDs, tt.id)
		}
	}
	if _, r := reportOf(t, []byte("From: a@example.net\r\nSubject: hi\r\n\r\nnot a report\r\n")); len(r.Recipients) != 0 {
		t.Errorf("a plain message: %+v", r)
	}
}

// TestReportsNameTheReturnedMail: of every bounce and complaint in the
// corpus that returns the mail it is about (whole, its header, or quoted
// in its text), the Message-ID of that mail is read.
func TestReportsNameTheReturnedMail(t *testing.T) {
	named, returned := 0, 0
	for _, path := range corpusMessages(t) {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		kind, r := reportOf(t, raw)
		if kind != questions.KindBounce && kind != questions.KindComplaint {
			continue
		}
		m, err := Parse(raw)
		if err != nil {
			continue
		}
		hasReturned := false
		for _, p := range m.reportParts {
			if p.returned() && messageID(p.fields().Get("Message-Id")) != "" {
				hasReturned = true
			}
		}
		if !hasReturned {
			continue
		}
		returned++
		if len(r.MessageIDs) > 0 {
			named++
		} else {
			t.Errorf("%s: returns a message with a Message-ID, but the report names none", path)
		}
	}
	if returned < 10 {
		t.Errorf("only %d reports in the corpus return their mail", returned)
	}
	t.Logf("%d of %d reports that return their mail name its Message-ID", named, returned)
}

// TestHardBouncesInTheCorpus: every delivery report in the corpus reads,
// and the permanent failures among them are found.
func TestHardBouncesInTheCorpus(t *testing.T) {
	hard := 0
	for _, path := range corpusMessages(t) {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		_, r := reportOf(t, raw)
		for _, rc := range r.Recipients {
			if rc.Address == "" || rc.Action == "" {
				t.Errorf("%s: a recipient without address or action: %+v", path, rc)
			}
			if rc.Action == "failed" && strings.HasPrefix(rc.Status, "5.") {
				hard++
			}
		}
	}
	if hard < 3 {
		t.Errorf("only %d hard bounces found in the corpus", hard)
	}
	t.Logf("%d hard bounces", hard)
}

// TestReadComplaint: feedback-loop reports from real providers name the
// subscriber who complained, and the Message-ID of the mail complained of.
func TestReadComplaint(t *testing.T) {
	for file, want := range map[string]string{
		"php-bounce-handler/fbl-yahoo.txt":   "someuser@yahoo.com",   // Original-Rcpt-To
		"php-bounce-handler/fbl-comcast.txt": "redacted@comcast.net", // Original-Rcpt-To with a name
		"php-bounce-handler/fbl-aol.txt":     "redacted@aol.com",     // the reported message's To
	} {
		kind, r := reportOf(t, corpusFile(t, file))
		if kind != questions.KindComplaint {
			t.Errorf("%s: classified %q, want a complaint", file, kind)
		}
		if !slices.Equal(r.Recipients, []questions.Recipient{{Address: want, Action: questions.ActionComplained}}) {
			t.Errorf("%s: %+v, want %s", file, r.Recipients, want)
		}
		if len(r.MessageIDs) == 0 {
			t.Errorf("%s: names no Message-ID", file)
		}
	}
}

// TestUnsubscribeByMail: a mail to List-Unsubscribe's mailto: (subject
// "unsubscribe" and the token) is no question; its token is read.
func TestUnsubscribeByMail(t *testing.T) {
	for _, tt := range []struct {
		subject string
		kind    questions.Kind
		token   string
	}{
		{"unsubscribe", questions.KindUnsubscribe, ""},
		{"UNSUBSCRIBE ", questions.KindUnsubscribe, ""},
		{"Re: unsubscribe", questions.KindUnsubscribe, ""},
		{"unsubscribe 1z.AbC-d_e", questions.KindUnsubscribe, "1z.AbC-d_e"},
		{"Re: Unsubscribe 2.xyz", questions.KindUnsubscribe, "2.xyz"},
		{"How do I unsubscribe from a meeting?", "", ""},
		{"Unsubscribe etiquette?", "", ""},
	} {
		kind, r := reportOf(t, []byte("From: Ana <Ana@Example.net>\r\nTo: ask@example.org\r\nSubject: "+tt.subject+"\r\n\r\nPlease take me off.\r\n"))
		if kind != tt.kind || r.Token != tt.token {
			t.Errorf("%q: %q token %q, want %q token %q", tt.subject, kind, r.Token, tt.kind, tt.token)
		}
		if kind == questions.KindUnsubscribe && !slices.Equal(r.Recipients, []questions.Recipient{{Address: "ana@example.net", Action: questions.ActionUnsubscribe}}) {
			t.Errorf("%q: recipients %+v", tt.subject, r.Recipients)
		}
	}
}

// TestRFC6533Addresses: a utf-8 address type with embedded characters, and
// an Original-Recipient that differs, read right.
func TestRFC6533Addresses(t *testing.T) {
	body := []byte("Reporting-MTA: dns; mx.example.test\r\n\r\n" +
		"Final-Recipient: utf-8; j\\x{00F6}rg@example.test\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n" +
		"Final-Recipient: rfc822; real@example.net\r\nOriginal-Recipient: rfc822; Alias@Example.org\r\nAction: failed\r\nStatus: 5.2.2\r\n")
	got := readStatusFields(body)
	want := []questions.Recipient{
		{Address: "jörg@example.test", Action: "failed", Status: "5.1.1"},
		{Address: "real@example.net", Original: "alias@example.org", Action: "failed", Status: "5.2.2"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}
