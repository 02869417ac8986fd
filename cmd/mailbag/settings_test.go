package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"mailbag/internal/home"
)

// setting changes one key of the home's mailbag.toml as the author does in
// an editor: the line `key = ...` under [section] of the file init wrote
// takes value (TOML, quoted where a string). Every other line, every
// default, stays as init wrote it.
func setting(t *testing.T, h home.Home, section, key, value string) {
	t.Helper()
	data, err := os.ReadFile(h.Settings())
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	line := regexp.MustCompile(`^` + regexp.QuoteMeta(key) + ` = `)
	in := false
	for i, l := range lines {
		switch {
		case strings.HasPrefix(l, "["):
			in = l == "["+section+"]"
		case in && line.MatchString(l):
			lines[i] = key + " = " + value
			if err := os.WriteFile(h.Settings(), []byte(strings.Join(lines, "\n")), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
	t.Fatalf("mailbag.toml has no %s.%s to change", section, key)
}
