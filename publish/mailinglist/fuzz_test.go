package mailinglist

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// FuzzImport: any CSV either fails on its header or reports every line;
// whatever is added reads back with a valid address, once.
func FuzzImport(f *testing.F) {
	f.Add("email,name\nana@example.net,Ana\n,x\nbad\n")
	f.Add("\ufeffE-mail;Name\n\"a@b.org\",\"x, y\"\n")
	f.Add("name\nAna\n")
	s := newSubscribers(f)
	f.Fuzz(func(t *testing.T, csv string) {
		lines := 0
		_, err := s.Import(context.Background(), strings.NewReader(csv), ImportOptions{Source: "fuzz"}, func(l ImportLine) {
			lines++
			if l.Result == "added" {
				if _, _, err := NormalizeAddress(l.Email); err != nil {
					t.Fatalf("added %q, which is not an address", l.Email)
				}
			}
		})
		if err != nil && !strings.Contains(err.Error(), "line 1") {
			t.Fatalf("Import = %v", err)
		}
	})
}

// FuzzNormalizeAddress: an address that normalises normalises to itself.
func FuzzNormalizeAddress(f *testing.F) {
	for _, s := range []string{"ana@Example.NET", "Ana <ana@example.net>", "\"a b\"@example.net", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		addr, _, err := NormalizeAddress(s)
		if err != nil {
			if !errors.Is(err, ErrBadAddress) {
				t.Fatalf("NormalizeAddress(%q) = %v", s, err)
			}
			return
		}
		again, _, err := NormalizeAddress(addr)
		if err != nil || again != addr {
			t.Fatalf("NormalizeAddress(%q) = %q, then %q, %v", s, addr, again, err)
		}
	})
}

// FuzzCells: every value comes back from an export and import as it was,
// and no exported cell starts as a spreadsheet formula does.
func FuzzCells(f *testing.F) {
	for _, v := range []string{"=HYPERLINK(\"x\")", "'=x", "'hello", "+1", "-", "@a", "\tx", "Ana", ""} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) {
		c := toCell(v)
		if c != "" && strings.ContainsRune(formulaStarts, rune(c[0])) {
			t.Fatalf("toCell(%q) = %q: a formula", v, c)
		}
		if back := fromCell(c); back != v {
			t.Fatalf("fromCell(toCell(%q)) = %q", v, back)
		}
	})
}
