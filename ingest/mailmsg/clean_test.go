package mailmsg

import (
	"os"
	"strings"
	"testing"
)

// TestCleanTextOnRealReplies runs CleanText over real replies from many mail
// clients and languages: what the reader wrote stays, the quoted history,
// reply headers and signatures go.
func TestCleanTextOnRealReplies(t *testing.T) {
	tests := []struct {
		file       string
		keep, drop []string
	}{
		{"crisp/email_1.txt", []string{"What is the best way to clear a Riak bucket", "-Abhishek Kona"}, []string{"riak-users mailing list"}},
		{"crisp/email_2.txt", []string{"You can list the keys for the bucket", "would do it."}, []string{"wrote:", "What is the best way"}},
		{"crisp/email_french_2.txt", []string{"Fusce bibendum"}, []string{"a écrit", "Chris - Crisp"}},
		{"crisp/email_german.txt", []string{"Fusce bibendum"}, []string{"schrieb", "Hi there!"}},
		{"crisp/email_russian.txt", []string{"Fusce bibendum"}, []string{"John Doe", "привет"}},
		{"crisp/email_gmail_split_line_from.txt", []string{"Fusce bibendum"}, []string{"Hiring Engine", "Respond"}},
		{"crisp/email_outlook_split_line_from.txt", []string{"Fusce bibendum"}, []string{"Human Resources", "Danny Laurence"}},
		{"crisp/email_iphone.txt", []string{"Here is another email"}, []string{"Sent from my iPhone"}},
		{"crisp/email_tricky_1_on_false_positive.txt", []string{"On the surface", "On a separate note, I wanted to mention"}, nil},
		{"crisp/email_tricky_18_inline_reply.txt", []string{"I think option A is great.", "Option C is not suitable"}, []string{"Jane Doe", "What about option B?"}},
		{"crisp/email_sent_from_my_not_signature.txt", []string{"Sent from my"}, nil},
		{"crisp/email_original_message.txt", nil, []string{"Original Message"}},
		{"crisp/email_finnish.txt", nil, []string{"kirjoitti"}},
		{"crisp/email_italian.txt", nil, []string{"ha scritto"}},
		{"crisp/email_portuguese.txt", nil, []string{"escreveu"}},
		{"crisp/email_norwegian_gmail.txt", nil, []string{"skrev"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			raw, err := os.ReadFile("../../testdata/corpora/mail/reply-quoting/" + tt.file)
			if err != nil {
				t.Fatal(err)
			}
			got := CleanText(string(raw))
			if strings.TrimSpace(got) == "" {
				t.Fatalf("CleanText kept nothing of\n%s", raw)
			}
			for _, k := range tt.keep {
				if !strings.Contains(got, k) {
					t.Errorf("dropped %q; kept:\n%s", k, got)
				}
			}
			for _, d := range tt.drop {
				if strings.Contains(got, d) {
					t.Errorf("kept %q:\n%s", d, got)
				}
			}
		})
	}
}

func TestCleanSubject(t *testing.T) {
	for in, want := range map[string]string{
		"Re: Re: Fwd: A question":   "A question",
		"AW: WG: Frage":             "Frage",
		"RE[2]:  spaces   inside ":  "spaces inside",
		"Réponse: keep":             "Réponse: keep",
		"Fw : odd spacing":          "odd spacing",
		"Regarding the re: in here": "Regarding the re: in here",
		"":                          "",
	} {
		if got := cleanSubject(in); got != want {
			t.Errorf("cleanSubject(%q) = %q, want %q", in, got, want)
		}
	}
}
