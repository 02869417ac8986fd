package templates

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestEveryLanguageHasEveryString: each built-in language's file has
// every key English has, each count's forms have "other", and no key
// English lacks (a typo).
func TestEveryLanguageHasEveryString(t *testing.T) {
	langs := BuiltinLanguages()
	for _, want := range []string{"en", "de", "fr", "es", "pt", "it", "nl", "sv", "pl", "ru", "ja"} {
		if !slices.Contains(langs, want) {
			t.Errorf("no messages in %s", want)
		}
	}
	for _, lang := range langs {
		m, err := LoadMessages(lang, "")
		if err != nil {
			t.Fatal(err)
		}
		own, english := m.Keys()
		for _, k := range english {
			if !slices.Contains(own, k) {
				t.Errorf("%s lacks %q", lang, k)
			}
			if forms, ok := m.text[k].(map[string]any); ok && forms["other"] == nil {
				t.Errorf("%s: %q has no other form", lang, k)
			}
		}
		for _, k := range own {
			if !slices.Contains(english, k) {
				t.Errorf("%s has %q, which English has not", lang, k)
			}
		}
		if len(m.months) != 12 {
			t.Errorf("%s has %d months", lang, len(m.months))
		}
	}
}

// TestMessagesInTheirLanguage: dates, counts and numbers as each language
// writes them.
func TestMessagesInTheirLanguage(t *testing.T) {
	day := time.Date(2018, 6, 20, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct{ lang, date, one, few, many string }{
		{"en", "20 June 2018", "1 answer matches “x”.", "3 answers match “x”.", "1,234 answers match “x”."},
		{"fr", "20 juin 2018", "1 réponse correspond à « x ».", "3 réponses correspondent à « x ».", "1\u00a0234 réponses correspondent à « x »."},
		{"de", "20. Juni 2018", "1 Antwort passt zu „x“.", "3 Antworten passen zu „x“.", "1.234 Antworten passen zu „x“."},
		{"ru", "20 июня 2018 г.", "1 ответ соответствует «x».", "3 ответа соответствуют «x».", "5 ответов соответствуют «x»."},
		{"pl", "20 czerwca 2018", "1 odpowiedź pasuje do „x”.", "3 odpowiedzi pasują do „x”.", "5 odpowiedzi pasuje do „x”."},
		{"ja", "2018年6月20日", "「x」に合う回答は1件です。", "「x」に合う回答は3件です。", "「x」に合う回答は1,234件です。"},
	} {
		m, err := LoadMessages(c.lang, "")
		if err != nil {
			t.Fatal(err)
		}
		many := 1234
		if c.lang == "ru" || c.lang == "pl" {
			many = 5
		}
		if got := m.Date(day); got != c.date {
			t.Errorf("%s: date %q, want %q", c.lang, got, c.date)
		}
		for n, want := range map[int]string{1: c.one, 3: c.few, many: c.many} {
			if got := m.N("search_count", n, "x"); got != want {
				t.Errorf("%s: %d answers: %q, want %q", c.lang, n, got, want)
			}
		}
	}
}

// TestMessagesOfAHome: a home's templates/messages/LANG.toml changes some
// words of a built-in language, and adds a language mailbag does not
// have, without a rebuild; its missing words are English's. A language
// with no file anywhere is refused, saying where to write one.
func TestMessagesOfAHome(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "messages"), 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, "messages", name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("fr.toml", "nav_ask = \"Posez votre question\"\n")
	write("eo.toml", "nav_archive = \"Arkivo\"\nmonths = [\"januaro\", \"februaro\", \"marto\", \"aprilo\", \"majo\", \"junio\", \"julio\", \"aŭgusto\", \"septembro\", \"oktobro\", \"novembro\", \"decembro\"]\ndate = \"la {day}-a de {month} {year}\"\n")
	fr, err := LoadMessages("fr-CA", dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := fr.T("nav_ask"); got != "Posez votre question" {
		t.Errorf("fr nav_ask = %q, want the home's", got)
	}
	if got := fr.T("nav_archive"); got != "Archives" {
		t.Errorf("fr nav_archive = %q, want the built-in French", got)
	}
	eo, err := LoadMessages("eo", dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := eo.T("nav_archive"); got != "Arkivo" {
		t.Errorf("eo nav_archive = %q", got)
	}
	if got := eo.T("nav_feed"); got != "Feed" {
		t.Errorf("eo nav_feed = %q, want English's", got)
	}
	if got := eo.Date(time.Date(2018, 8, 20, 0, 0, 0, 0, time.UTC)); got != "la 20-a de aŭgusto 2018" {
		t.Errorf("eo date = %q", got)
	}
	if _, err := LoadMessages("tlh", dir); err == nil || !strings.Contains(err.Error(), "templates/messages/tlh.toml") {
		t.Errorf("a language with no messages: %v", err)
	}
	write("de.toml", "nav_ask = \"unterminated\n")
	if _, err := LoadMessages("de", dir); err == nil || !strings.Contains(err.Error(), "de.toml") {
		t.Errorf("a broken file: %v, want its name", err)
	}
}

// TestMailsInTheirLanguage: the mails to one person and the list mail's
// footer are in the newsletter's language.
func TestMailsInTheirLanguage(t *testing.T) {
	set, err := Load(Options{Language: "fr", Funcs: map[string]any{"yaml": fmt.Sprint, "quote": fmt.Sprint}})
	if err != nil {
		t.Fatal(err)
	}
	answers := []map[string]any{{"Title": "T", "URL": "https://u/", "Date": "1 mai 2020"}}
	for name, c := range map[string]struct {
		data map[string]any
		want []string
	}{
		"ack.txt":     {map[string]any{"Newsletter": "Demandez à Jim", "Subject": "Dire non", "Answers": answers}, []string{"Bonjour,", "Votre question à Demandez à Jim est bien arrivée : « Dire non ».", "cette réponse passée", "réponse automatique"}},
		"notify.txt":  {map[string]any{"Newsletter": "Demandez à Jim", "Subject": "Dire non", "PostURL": "https://u/"}, []string{"La réponse est ici :"}},
		"confirm.txt": {map[string]any{"Newsletter": "Demandez à Jim", "ConfirmURL": "https://u/"}, []string{"Pour confirmer, ouvrez ce lien"}},
		"mail.txt":    {map[string]any{"Title": "T", "Underline": []int{1}, "Markdown": "M", "Newsletter": "N", "PostURL": "https://u/", "Address": "ask@example.org", "UnsubscribeURL": "https://u/x"}, []string{"Une question ? Répondez à ce courriel, ou écrivez à ask@example.org.", "Se désabonner: https://u/x"}},
	} {
		var b strings.Builder
		if err := set.Text(name).Execute(&b, c.data); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, w := range c.want {
			if !strings.Contains(b.String(), w) {
				t.Errorf("%s: no %q in\n%s", name, w, b.String())
			}
		}
	}
}

// TestCodeNamesKnownMessages: every message the code asks for by name
// (Messages().T("key"), words().T("key"), …) is in English's file.
func TestCodeNamesKnownMessages(t *testing.T) {
	m, err := LoadMessages("en", "")
	if err != nil {
		t.Fatal(err)
	}
	call := regexp.MustCompile(`\.(T|N)\("([a-z_]+)"`)
	asked := 0
	err = filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, c := range call.FindAllStringSubmatch(string(data), -1) {
			asked++
			if _, ok := m.lookup(c[2]); !ok {
				t.Errorf("%s asks for the message %q, which en.toml has not", path, c[2])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if asked < 30 {
		t.Errorf("only %d messages asked for by name in the code: the pattern no longer finds them", asked)
	}
}

// TestUnknownMessageRefused: a home's template naming a message no file
// has is refused when the templates are loaded and checked; a reader's
// "{n}" in a search stays as typed.
func TestUnknownMessageRefused(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "site"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "site", "notfound.html"), []byte(`{{define "main"}}<p>{{t "not_fuond"}}</p>{{end}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	set, err := Load(Options{Overrides: dir, Funcs: map[string]any{"yaml": fmt.Sprint, "quote": fmt.Sprint}})
	if err != nil {
		t.Fatal(err)
	}
	if err := set.Check("site/notfound.html", map[string]any{"Site": map[string]any{"Title": "T", "AskAction": "", "SearchAction": "", "SubscribeAction": "", "Links": nil, "Address": "a"}, "Query": ""}); err == nil || !strings.Contains(err.Error(), `"not_fuond"`) {
		t.Errorf("Check of a template with an unknown message: %v", err)
	}
	m, _ := LoadMessages("en", "")
	if got := m.N("search_count", 2, "{n} {1}"); got != "2 answers match “{n} {1}”." {
		t.Errorf("a search for {n} {1}: %q", got)
	}
}
