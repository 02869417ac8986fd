package publish

import (
	"mailbag/ingest/mailmsg"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	tests := []struct{ text, name, addr, want string }{
		{"How do I say no?\n\nThanks,\nJane Doe", "Jane Doe", "jane@example.net", "How do I say no?"},
		{"How do I say no?\n\n-- \nJane", "Jane Doe", "jane@example.net", "How do I say no?\n\n--"},
		{"My name is Jane Doe and I manage a team. Write to jane@example.net. Or not.", "Jane Doe", "jane@example.net", "My name is [name] and I manage a team. Or not."},
		{"Mail me: <mailto:JANE@example.net>\nWhat now?", "", "jane@example.net", "What now?"},
		{"Should Doe-Smith teams do standups?\nCheers,\nJ. Doe-Smith", "J. Doe-Smith", "j@example.net", "Should Doe-Smith teams do standups?"},
		{"A long last line that mentions Jane among many other words, so it stays.", "Jane Doe", "", "A long last line that mentions Jane among many other words, so it stays."},
		// No name in From: the address's first.last stands for it.
		{"I am Priya Sharma, a lead. How do I say no?\n\nBest,\nPriya", "", "priya.sharma@example.net", "I am [name], a lead. How do I say no?"},
		{"How do I say no?\n\nThanks,\nJ.", "", "j_doe@example.net", "How do I say no?\n\nThanks,\nJ."},
		{"Our team reads the news.\n\nTeam", "", "team.news@example.net", "Our team reads the news."},
		{"How do I say no?\n\nMax", "", "max-mustermann+lists@example.de", "How do I say no?"},
		{"How do I say no?\n\nMax", "", "max2024@example.de", "How do I say no?\n\nMax"},
	}
	for _, tt := range tests {
		if got := redact(tt.text, tt.name, tt.addr); got != tt.want {
			t.Errorf("redact(%q, %q, %q) =\n%q\nwant\n%q", tt.text, tt.name, tt.addr, got, tt.want)
		}
	}
}

// TestRedactRealMail runs Redact over every question in the real mail
// corpus whose text names its sender: afterwards neither the address nor
// the full name is left.
func TestRedactRealMail(t *testing.T) {
	root := "../testdata/corpora/mail"
	named := 0
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), ".") {
			return err
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		m, err := mailmsg.Parse(raw)
		if err != nil || m.Text == "" {
			return nil
		}
		text := mailmsg.CleanText(m.Text)
		hasAddr := m.FromAddr != "" && strings.Contains(strings.ToLower(text), m.FromAddr)
		hasName := len(nameParts(m.FromName)) > 1 && strings.Contains(strings.ToLower(text), strings.ToLower(m.FromName))
		if !hasAddr && !hasName {
			return nil
		}
		named++
		got := strings.ToLower(redact(text, m.FromName, m.FromAddr))
		if m.FromAddr != "" && strings.Contains(got, m.FromAddr) {
			t.Errorf("%s: the address %s is still there:\n%s", path, m.FromAddr, got)
		}
		if hasName && strings.Contains(got, strings.ToLower(m.FromName)) {
			t.Errorf("%s: the name %q is still there:\n%s", path, m.FromName, got)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if named < 5 {
		t.Errorf("only %d corpus messages name their sender: the test would prove little", named)
	}
	t.Logf("%d corpus messages named their sender", named)
}

// TestRedactNamesInEveryScript: a question signed with a name of any
// shape, in the asker's language or in English, keeps neither the full
// name in its text nor a closing line with a short form of it: Polish,
// Czech, Vietnamese, Turkish, Icelandic, Irish, Spanish, Greek, Cyrillic,
// Arabic names, and Chinese, Japanese and Korean names written with or
// without spaces; and a name written without its accents.
func TestRedactNamesInEveryScript(t *testing.T) {
	for _, c := range []struct {
		from, text string
		gone       []string // none of these is left
	}{
		{"Łukasz Żółkiewski", "I'm Łukasz Żółkiewski and I lead a small team. How do I say no to my boss?\n\nThanks,\nŁukasz", []string{"Łukasz", "Żółkiewski"}},
		{"Łukasz Żółkiewski", "Nazywam się Łukasz Żółkiewski i prowadzę mały zespół. Jak odmówić szefowi?\n\nPozdrawiam,\nŁukasz", []string{"Łukasz", "Żółkiewski", "Pozdrawiam"}},
		{"Łukasz Żółkiewski", "Hi, Lukasz Zolkiewski here, from a small team. How do I say no?\n\nLukasz", []string{"Lukasz", "Zolkiewski"}},
		{"Nguyễn Văn An", "Tôi là Nguyễn Văn An, trưởng nhóm. Làm sao để từ chối sếp?\n\nCảm ơn,\nAn", []string{"Nguyễn", "Văn", "\nAn"}},
		{"Nguyễn Văn An", "I'm Nguyễn Văn An and I lead a small team. How do I say no?\n\nAn", []string{"Nguyễn", "Văn", "\nAn"}},
		{"Zoë Åberg", "I'm Zoë Åberg and I lead a small team. How do I say no?\n\nBest,\nZoë", []string{"Zoë", "Åberg"}},
		{"Siobhán O'Brien", "I'm Siobhán O'Brien and I lead a small team. How do I say no?\n\n-- \nSiobhán", []string{"Siobhán", "O'Brien"}},
		{"José María Pérez", "Soy José María Pérez y dirijo un equipo pequeño. ¿Cómo digo que no?\n\nUn saludo,\nJosé María", []string{"José", "María", "Pérez", "saludo"}},
		{"Jiří Dvořák", "Jmenuji se Jiří Dvořák a vedu malý tým. Jak mám odmítnout šéfa?\n\nS pozdravem,\nJiří", []string{"Jiří", "Dvořák"}},
		{"Çağrı Yılmaz", "Ben Çağrı Yılmaz, küçük bir ekibi yönetiyorum. Patronuma nasıl hayır derim?\n\nTeşekkürler,\nÇağrı", []string{"Çağrı", "Yılmaz"}},
		{"Björk Guðmundsdóttir", "I'm Björk Guðmundsdóttir and I lead a small team. How do I say no?\n\nBjörk", []string{"Björk", "Guðmundsdóttir"}},
		{"Ngozi Okonkwo-Adeyemi", "I'm Ngozi Okonkwo-Adeyemi and I lead a small team. How do I say no?\n\nCheers,\nNgozi", []string{"Ngozi", "Okonkwo"}},
		{"Γιώργος Παπαδόπουλος", "Είμαι ο Γιώργος Παπαδόπουλος και έχω μια μικρή ομάδα. Πώς λέω όχι;\n\nΕυχαριστώ,\nΓιώργος", []string{"Γιώργος", "Παπαδόπουλος"}},
		{"Иван Петров", "Меня зовут Иван Петров, я руковожу небольшой командой. Как сказать начальнику нет?\n\nС уважением,\nИван", []string{"Иван", "Петров"}},
		{"محمد عبد الله", "أنا محمد عبد الله وأقود فريقا صغيرا. كيف أرفض طلب مديري؟\n\nشكرا،\nمحمد", []string{"محمد", "عبد الله"}},
		{"王小明", "我是王小明，我带领一个小团队。我该怎么拒绝老板？\n\n谢谢，\n小明", []string{"王小明", "小明"}},
		{"山田 太郎", "山田太郎です。小さなチームを率いています。上司にどう断ればいいですか？\n\nよろしくお願いします。\n太郎", []string{"山田", "太郎"}},
		{"김민준", "저는 김민준입니다. 작은 팀을 이끌고 있습니다. 상사에게 어떻게 거절하나요?\n\n감사합니다.\n민준", []string{"김민준", "민준"}},
	} {
		got := redact(c.text, c.from, "")
		for _, g := range c.gone {
			if strings.Contains(got, g) {
				t.Errorf("%s: %q is left:\n%s", c.from, g, got)
			}
		}
		if !strings.Contains(got, "[name]") {
			t.Errorf("%s: the full name is not replaced:\n%s", c.from, got)
		}
		if !strings.ContainsAny(got, "?？;؟") {
			t.Errorf("%s: the question went with the name:\n%s", c.from, got)
		}
	}
}
