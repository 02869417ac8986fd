package mailmsg

import (
	"mailbag/questions"
	"os"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse: any bytes either fail with an error or make a message
// whose fields are valid UTF-8, and classifying and cleaning it never
// panics.
func FuzzParse(f *testing.F) {
	for i, path := range corpusMessages(f) {
		if i%4 != 0 { // a quarter of the corpus is plenty of seeds
			continue
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		if len(raw) < 64<<10 {
			f.Add(raw)
		}
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := Parse(raw)
		if err != nil {
			return
		}
		for _, s := range []string{m.Subject, m.FromName, m.FromAddr, m.Text} {
			if !utf8.ValidString(s) {
				t.Fatalf("invalid UTF-8 %q from %q", s, raw)
			}
		}
		if m.Key == "" {
			t.Fatal("no key")
		}
		classify(m, "ask@example.org", CleanText(m.Text))
		if !utf8.ValidString(CleanText(m.Text)) || !utf8.ValidString(cleanSubject(m.Subject)) {
			t.Fatal("cleaning made invalid UTF-8")
		}
	})
}

// FuzzCleanText: cleaning never adds text: every line it keeps is a line
// of the input.
func FuzzCleanText(f *testing.F) {
	for _, s := range []string{"Hi\n\nOn Mon, Jim wrote:\n> x\n", "a\n-- \nsig", "> q\nanswer\n> q2\n", "Sent from my iPhone"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		in := strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
		for _, line := range strings.Split(CleanText(text), "\n") {
			if line != "" && !strings.Contains(in, line) {
				t.Fatalf("CleanText made up the line %q from %q", line, text)
			}
		}
	})
}

// FuzzHTMLText: any HTML gives valid UTF-8 text without tags' markup.
func FuzzHTMLText(f *testing.F) {
	for _, s := range []string{"<p>Hello <b>there</b></p>", "<div class=gmail_quote>old</div>new", "<script>x</script>", "<blockquote>q</blockquote>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		if out := htmlText(src); !utf8.ValidString(out) && utf8.ValidString(src) {
			t.Fatalf("htmlText(%q) = %q: invalid UTF-8", src, out)
		}
	})
}

// FuzzReadReport: any bytes give a report with lower-case addresses and
// bounded Message-IDs, or none; never a panic.
func FuzzReadReport(f *testing.F) {
	for _, name := range []string{"flanker-messages/bounce/office365.eml", "mikel-mail-fixtures/multipart_report_emails/report_422.eml", "php-bounce-handler/fbl-yahoo.txt"} {
		raw, err := os.ReadFile("../../testdata/corpora/mail/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	for _, name := range []string{"postfix-smtputf8.eml", "postfix-rfc3464.eml"} {
		raw, err := os.ReadFile("testdata/reports/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := Parse(raw)
		if err != nil {
			return
		}
		for _, kind := range []questions.Kind{questions.KindBounce, questions.KindComplaint, questions.KindUnsubscribe} {
			r := ReportOf(kind, m)
			for _, rc := range r.Recipients {
				if rc.Address != strings.ToLower(rc.Address) {
					t.Fatalf("address %q not in lower case", rc.Address)
				}
			}
			if len(r.MessageIDs) > maxReportIDs {
				t.Fatalf("%d Message-IDs", len(r.MessageIDs))
			}
		}
	})
}
