package mailaddr

import "testing"

func TestKeyAndMailbox(t *testing.T) {
	for _, c := range []struct{ in, key, mailbox string }{
		{"Ana@Example.NET", "ana@example.net", "ana@example.net"},
		{" ana+news@example.net ", "ana+news@example.net", "ana@example.net"},
		{"A.Na.Lima@gmail.com", "a.na.lima@gmail.com", "analima@gmail.com"},
		{"analima+x@GoogleMail.com", "analima+x@googlemail.com", "analima@gmail.com"},
		{"a.b@example.com", "a.b@example.com", "a.b@example.com"},
	} {
		if got := Key(c.in); got != c.key {
			t.Errorf("Key(%q) = %q, want %q", c.in, got, c.key)
		}
		if got := Mailbox(c.in); got != c.mailbox {
			t.Errorf("Mailbox(%q) = %q, want %q", c.in, got, c.mailbox)
		}
	}
}
