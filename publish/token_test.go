package publish

import (
	"bytes"
	"errors"
	"path/filepath"
	"testing"
)

func TestTokens(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secret")
	key, err := LoadSecret(path)
	if err != nil {
		t.Fatal(err)
	}
	again, err := LoadSecret(path)
	if err != nil || !bytes.Equal(key, again) {
		t.Fatalf("the key changed between loads: %v", err)
	}
	tok := Token(key, "unsubscribe", 42, "Ana@example.net")
	if id, err := TokenID(tok); err != nil || id != 42 {
		t.Errorf("TokenID = %d, %v", id, err)
	}
	if err := VerifyToken(key, tok, "unsubscribe", 42, "ana@example.net"); err != nil {
		t.Errorf("a good token: %v", err)
	}
	other := make([]byte, len(key))
	for _, bad := range []struct {
		name, tok, purpose string
		id                 int64
		email              string
		key                []byte
	}{
		{"another address", tok, "unsubscribe", 42, "bo@example.net", key},
		{"another subscriber", tok, "unsubscribe", 43, "ana@example.net", key},
		{"another purpose", tok, "confirm", 42, "ana@example.net", key},
		{"another key", tok, "unsubscribe", 42, "ana@example.net", other},
		{"damaged", tok[:len(tok)-2], "unsubscribe", 42, "ana@example.net", key},
		{"empty", "", "unsubscribe", 42, "ana@example.net", key},
	} {
		if err := VerifyToken(bad.key, bad.tok, bad.purpose, bad.id, bad.email); !errors.Is(err, ErrBadToken) {
			t.Errorf("%s: VerifyToken = %v, want ErrBadToken", bad.name, err)
		}
	}
	if _, err := TokenID("zz"); !errors.Is(err, ErrBadToken) {
		t.Errorf("TokenID of junk = %v", err)
	}
}
