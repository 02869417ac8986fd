package config

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

// settingKeys lists every key of Config as table.key, from the struct tags.
func settingKeys() []string {
	var keys []string
	ct := reflect.TypeFor[Config]()
	for i := range ct.NumField() {
		table := ct.Field(i).Tag.Get("toml")
		if table == "" || table == "-" {
			continue
		}
		tt := ct.Field(i).Type
		for j := range tt.NumField() {
			if key := tt.Field(j).Tag.Get("toml"); key != "-" {
				keys = append(keys, table+"."+key)
			}
		}
	}
	return keys
}

// TestEverySettingIsDocumented fails when a key in the code is missing from
// docs/configuration.md or from the file `mailbag init` writes.
func TestEverySettingIsDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	keys := settingKeys()
	if len(keys) < 15 {
		t.Fatalf("found only %d keys: %q", len(keys), keys)
	}
	for _, k := range keys {
		if !strings.Contains(string(doc), "| `"+k+"` |") {
			t.Errorf("docs/configuration.md has no row for %s", k)
		}
		table, key, _ := strings.Cut(k, ".")
		if lineOf(DefaultFile, []string{table, key}) == 0 {
			t.Errorf("default.toml does not set %s", k)
		}
	}
	// And nothing documented that the code does not have.
	for _, line := range strings.Split(string(doc), "\n") {
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		k := strings.TrimPrefix(strings.SplitN(line, "`", 3)[1], "")
		found := false
		for _, have := range keys {
			found = found || have == k
		}
		if !found {
			t.Errorf("docs/configuration.md documents %s, which the code does not have", k)
		}
	}
}
