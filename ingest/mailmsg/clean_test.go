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

// TestCleanTextInReadersLanguages: replies as mail programs write them in
// readers' languages, Gmail, Apple Mail, Outlook and Thunderbird in each:
// the reader's words stay, the reply header, the quoted message, the
// quoted header block and the "sent from" line go.
func TestCleanTextInReadersLanguages(t *testing.T) {
	const quoted = "\n> Dear reader, here is the answer you asked for.\n> Jim\n"
	for _, c := range []struct{ lang, text, keep, drop string }{
		{"pl", "Dziękuję, to bardzo pomogło.\n\npt., 1 mar 2024 o 10:00 Jim <ask@example.org> napisał(a):" + quoted, "bardzo pomogło", "napisał"},
		{"pl", "Dziękuję, to bardzo pomogło.\n\nW dniu 1.03.2024 o 10:00, Jim pisze:" + quoted, "bardzo pomogło", "pisze"},
		{"pl", "Dziękuję!\n\nWysłane z mojego iPhone'a", "Dziękuję", "Wysłane"},
		{"cs", "Děkuji za odpověď.\n\nDne 1. 3. 2024 v 10:00 Jim <ask@example.org> napsal(a):" + quoted, "Děkuji", "napsal"},
		{"tr", "Cevabınız için teşekkürler.\n\nJim <ask@example.org>, 1 Mar 2024 Cum, 10:00 tarihinde şunu yazdı:" + quoted, "teşekkürler", "yazdı"},
		{"tr", "Teşekkürler.\n\niPhone'umdan gönderildi", "Teşekkürler", "gönderildi"},
		{"hu", "Köszönöm a választ.\n\nJim <ask@example.org> ezt írta (időpont: 2024. márc. 1., P, 10:00):" + quoted, "Köszönöm", "írta"},
		{"ro", "Mulțumesc pentru răspuns.\n\nPe vin., 1 mar. 2024 la 10:00, Jim <ask@example.org> a scris:" + quoted, "Mulțumesc", "a scris"},
		{"el", "Ευχαριστώ για την απάντηση.\n\nΣτις Παρ 1 Μαρ 2024 στις 10:00, ο/η Jim <ask@example.org> έγραψε:" + quoted, "Ευχαριστώ", "έγραψε"},
		{"uk", "Дякую за відповідь.\n\nпт, 1 бер. 2024 р. о 10:00 Jim <ask@example.org> пише:" + quoted, "Дякую", "пише"},
		{"vi", "Cảm ơn câu trả lời.\n\nVào Th 6, 1 thg 3, 2024 vào lúc 10:00 Jim <ask@example.org> đã viết:" + quoted, "Cảm ơn", "đã viết"},
		{"ja", "ご回答ありがとうございます。\n\n2024/03/01 10:00、Jim <ask@example.org>のメール:" + quoted, "ありがとうございます", "のメール"},
		{"ja", "ありがとうございます。\n\niPhoneから送信", "ありがとうございます", "送信"},
		{"ja", "ありがとうございます。\n\n差出人: Jim <ask@example.org>\n送信日時: 2024年3月1日 10:00\n宛先: reader@example.jp\n件名: 質問\n\nDear reader, here is the answer.", "ありがとうございます", "差出人"},
		{"zh", "谢谢你的回答。\n\n在 2024年3月1日 上午10:00，Jim <ask@example.org> 写道：" + quoted, "谢谢", "写道"},
		{"zh", "谢谢。\n\n发件人: Jim <ask@example.org>\n发送时间: 2024年3月1日 10:00\n收件人: reader@example.cn\n主题: 问题\n\nDear reader, here is the answer.", "谢谢", "发件人"},
		{"zh", "谢谢。\n\n发自我的iPhone", "谢谢", "发自"},
		{"ko", "답변 감사합니다.\n\n2024년 3월 1일 (금) 오전 10:00, Jim <ask@example.org>님이 작성:" + quoted, "감사합니다", "작성"},
		{"sv", "Tack för svaret.\n\nFrån: Jim <ask@example.org>\nSkickat: den 1 mars 2024 10:00\nTill: reader@example.se\nÄmne: Fråga\n\nDear reader, here is the answer.", "Tack", "Från"},
		{"sv", "Tack!\n\nSkickat från min iPhone", "Tack", "Skickat"},
		{"nl", "Bedankt!\n\nVerzonden vanaf mijn iPhone", "Bedankt", "Verzonden"},
	} {
		got := CleanText(c.text)
		if !strings.Contains(got, c.keep) || strings.Contains(got, c.drop) || strings.Contains(got, "Dear reader") {
			t.Errorf("%s: CleanText kept\n%s\nwant %q kept, %q and the quoted message gone", c.lang, got, c.keep, c.drop)
		}
	}
	// A sentence that only ends like a header is the reader's.
	if got := CleanText("Mój szef pisze:\n\nTo nie jest pilne. Co mam zrobić?"); !strings.Contains(got, "Co mam zrobić") {
		t.Errorf("a Polish sentence ending in pisze: was cut:\n%s", got)
	}
}
