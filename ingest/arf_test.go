package ingest

import (
	"os"
	"slices"
	"testing"
)

// TestParseComplaint: feedback-loop reports from real providers name the
// subscriber who complained.
func TestParseComplaint(t *testing.T) {
	for file, want := range map[string]string{
		"php-bounce-handler/fbl-yahoo.txt":   "someuser@yahoo.com",   // Original-Rcpt-To
		"php-bounce-handler/fbl-comcast.txt": "redacted@comcast.net", // Original-Rcpt-To with a name
		"php-bounce-handler/fbl-aol.txt":     "redacted@aol.com",     // the reported message's To
	} {
		raw, err := os.ReadFile("../testdata/corpora/mail/" + file)
		if err != nil {
			t.Fatal(err)
		}
		m, err := ParseMessage(raw)
		if err != nil {
			t.Fatal(err)
		}
		if kind, _ := Classify(m, "ask@example.org"); kind != KindComplaint {
			t.Errorf("%s: classified %q, want a complaint", file, kind)
		}
		got := ParseComplaint(raw)
		if !slices.Equal(got, []Recipient{{Address: want, Action: ActionComplained}}) {
			t.Errorf("%s: %+v, want %s", file, got, want)
		}
	}
	if got := ParseComplaint([]byte("Subject: hi\r\n\r\nnot a report\r\n")); len(got) != 0 {
		t.Errorf("a plain message: %+v", got)
	}
}

// TestUnsubscribeByMail: a mail to List-Unsubscribe's mailto: (subject
// "unsubscribe") is no question, and names its sender.
func TestUnsubscribeByMail(t *testing.T) {
	for subject, want := range map[string]Kind{"unsubscribe": KindUnsubscribe, "UNSUBSCRIBE ": KindUnsubscribe, "Re: unsubscribe": KindUnsubscribe,
		"How do I unsubscribe from a meeting?": ""} {
		m, err := ParseMessage([]byte("From: Ana <Ana@Example.net>\r\nTo: ask@example.org\r\nSubject: " + subject + "\r\n\r\nPlease take me off.\r\n"))
		if err != nil {
			t.Fatal(err)
		}
		if kind, _ := Classify(m, "ask@example.org"); kind != want {
			t.Errorf("%q: %q, want %q", subject, kind, want)
		}
	}
	q := Question{Kind: KindUnsubscribe, FromAddr: "Ana@example.net"}
	if got := reportRecipients(q, nil); !slices.Equal(got, []Recipient{{Address: "ana@example.net", Action: ActionUnsubscribe}}) {
		t.Errorf("reportRecipients = %+v", got)
	}
}
