package mailinglist

import (
	"bytes"
	"encoding/base64"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
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
	tok := token(key, "unsubscribe", 42, "Ana@example.net")
	if id, err := tokenID(key, tok); err != nil || id != 42 {
		t.Errorf("tokenID = %d, %v", id, err)
	}
	if err := verifyToken(key, tok, "unsubscribe", 42, "ana@example.net"); err != nil {
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
		if err := verifyToken(bad.key, bad.tok, bad.purpose, bad.id, bad.email); !errors.Is(err, ErrBadToken) {
			t.Errorf("%s: verifyToken = %v, want ErrBadToken", bad.name, err)
		}
	}
	if _, err := tokenID(key, "zz"); !errors.Is(err, ErrBadToken) {
		t.Errorf("tokenID of junk = %v", err)
	}
}

// A token tells nothing of the list: the ID part of consecutive
// subscribers' tokens is the same length and shares nothing that counts;
// tokens in mail sent by older versions (the ID in base 36) still work.
func TestTokensHideTheID(t *testing.T) {
	key := bytes.Repeat([]byte("k"), secretSize)
	seen := map[string]bool{}
	for _, id := range []int64{1, 2, 3, 36, 1000, 1001, 1 << 40} {
		tok := token(key, "unsubscribe", id, "ana@example.net")
		idPart, _, _ := strings.Cut(tok, ".")
		if len(idPart) != 22 || seen[idPart] || strings.Contains(idPart, strconv.FormatInt(id, 36)) && id > 36 {
			t.Errorf("id %d: the ID part %q", id, idPart)
		}
		seen[idPart] = true
		if got, err := tokenID(key, tok); err != nil || got != id {
			t.Errorf("tokenID of id %d's token = %d, %v", id, got, err)
		}
	}
	other := bytes.Repeat([]byte("o"), secretSize)
	if _, err := tokenID(other, token(key, "unsubscribe", 5, "a@example.net")); !errors.Is(err, ErrBadToken) {
		t.Errorf("a token read with another key: %v", err)
	}
	old := strconv.FormatInt(42, 36) + "." + base64.RawURLEncoding.EncodeToString(tokenMAC(key, "unsubscribe", 42, "ana@example.net"))
	if id, err := tokenID(key, old); err != nil || id != 42 || verifyToken(key, old, "unsubscribe", 42, "ana@example.net") != nil {
		t.Errorf("an older version's token: %d, %v", id, err)
	}
}
