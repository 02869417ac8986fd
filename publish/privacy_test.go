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
