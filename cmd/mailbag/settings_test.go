package main

import (
	"fmt"
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
	if err := editSetting(h.Settings(), section, key, value); err != nil {
		t.Fatal(err)
	}
}

// editSetting is setting for the settings file at path.
func editSetting(path, section, key, value string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
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
			return os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644)
		}
	}
	return fmt.Errorf("%s has no %s.%s to change", path, section, key)
}
