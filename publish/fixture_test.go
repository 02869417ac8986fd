package publish

import (
	"testing"

	"mailbag/templates"
)

// loadTemplates loads the built-in templates and overrides (a folder; ""
// for none), as a command does at start.
func loadTemplates(t testing.TB, overrides string) *templates.Set {
	t.Helper()
	set, err := templates.Load(templates.Options{Overrides: overrides, Funcs: TemplateFuncs})
	if err != nil {
		t.Fatal(err)
	}
	return set
}
