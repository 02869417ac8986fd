package ingest

import (
	"os"
	"strings"
	"testing"
)

func TestParseDSN(t *testing.T) {
	tests := []struct {
		file string
		want Recipient
	}{
		{"flanker-messages/bounce/no-mx.eml", Recipient{Address: "user@example.com", Action: "delayed", Status: "4.4.4"}},
		{"mikel-mail-fixtures/multipart_report_emails/report_422.eml", Recipient{Address: "fraser@oooooooo.com.au", Action: "delayed", Status: "4.2.2"}},
		{"flanker-messages/bounce/office365.eml", Recipient{Address: "noname@example.com", Action: "failed", Status: "5.1.10"}},
	}
	for _, tt := range tests {
		raw, err := os.ReadFile("../testdata/corpora/mail/" + tt.file)
		if err != nil {
			t.Fatal(err)
		}
		got := ParseDSN(raw)
		if len(got) != 1 || got[0] != tt.want {
			t.Errorf("%s: %+v, want %+v", tt.file, got, tt.want)
		}
	}
	if got := ParseDSN([]byte("Subject: hi\r\n\r\nnot a report\r\n")); len(got) != 0 {
		t.Errorf("a plain message: %+v", got)
	}
}

// TestParseDSNOnTheCorpus: every delivery report in the corpus reads, and
// the permanent failures among them are found.
func TestParseDSNOnTheCorpus(t *testing.T) {
	hard := 0
	for _, path := range corpusMessages(t) {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range ParseDSN(raw) {
			if r.Address == "" || r.Action == "" {
				t.Errorf("%s: a recipient without address or action: %+v", path, r)
			}
			if r.Action == "failed" && strings.HasPrefix(r.Status, "5.") {
				hard++
			}
		}
	}
	if hard < 3 {
		t.Errorf("only %d hard bounces found in the corpus", hard)
	}
	t.Logf("%d hard bounces", hard)
}
