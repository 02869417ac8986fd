package mailinglist

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"

	"mailbag/internal/atomicfile"
	"mailbag/internal/mailaddr"
)

// ErrBadToken means a subscriber token is forged, damaged, or for another
// purpose.
var ErrBadToken = errors.New("publish: invalid token")

// ErrTestToken means a token is that of a test copy (send --test): made
// for no subscriber (ID 0), it acts for nobody.
var ErrTestToken = errors.New("publish: the token of a test copy")

// secretSize is the length of the key that signs tokens.
const secretSize = 32

// LoadSecret reads the key that signs subscriber tokens from path, making
// a random one the first time. Losing it voids the links in mail already
// sent; it lives in .mailbag/ with the state.
func LoadSecret(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err == nil && len(b) == secretSize {
		return b, nil
	}
	if err == nil {
		return nil, fmt.Errorf("publish: %s is not a %d-byte key", path, secretSize)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("publish: %w", err)
	}
	key := make([]byte, secretSize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("publish: %w", err)
	}
	if err := atomicfile.Create(path, key, 0o600); errors.Is(err, fs.ErrExist) {
		return LoadSecret(path) // made by another process meanwhile
	} else if err != nil {
		return nil, fmt.Errorf("publish: %w", err)
	}
	return key, nil
}

// token makes the token of a link that acts for one subscriber and one
// purpose ("unsubscribe", "confirm"): the subscriber's ID, enciphered so
// that a token tells nothing of the list (not its size, not who came
// first), and an HMAC-SHA256 over purpose, ID and address, so that it
// works for that address alone and cannot be made without the key.
func token(key []byte, purpose string, id int64, email string) string {
	block := idCipher(key)
	var b [aes.BlockSize]byte
	binary.BigEndian.PutUint64(b[:8], uint64(id))
	block.Encrypt(b[:], b[:])
	return base64.RawURLEncoding.EncodeToString(b[:]) + "." + base64.RawURLEncoding.EncodeToString(tokenMAC(key, purpose, id, email))
}

// idCipher returns the block cipher that hides the ID in a token: AES-128 with
// a key of its own drawn from key.
func idCipher(key []byte) cipher.Block {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("mailbag token id"))
	block, err := aes.NewCipher(m.Sum(nil)[:16])
	if err != nil {
		panic(err) // a 16-byte key is always an AES key
	}
	return block
}

func tokenMAC(key []byte, purpose string, id int64, email string) []byte {
	m := hmac.New(sha256.New, key)
	fmt.Fprintf(m, "%s\x00%d\x00%s", purpose, id, mailaddr.Key(email))
	return m.Sum(nil)[:18]
}

// tokenID reads the subscriber ID out of a token, unchecked: look the
// subscriber up, then call verifyToken. Tokens of older versions (the ID
// in base 36), in mail already sent, are read too. The error wraps
// ErrBadToken.
func tokenID(key []byte, token string) (int64, error) {
	idPart, _, ok := strings.Cut(token, ".")
	if !ok {
		return 0, ErrBadToken
	}
	if b, err := base64.RawURLEncoding.DecodeString(idPart); err == nil && len(b) == aes.BlockSize {
		idCipher(key).Decrypt(b, b)
		id := int64(binary.BigEndian.Uint64(b[:8]))
		if !bytes.Equal(b[8:], make([]byte, 8)) || id <= 0 {
			return 0, ErrBadToken
		}
		return id, nil
	}
	id, err := strconv.ParseInt(idPart, 36, 64)
	if err != nil || id <= 0 {
		return 0, ErrBadToken
	}
	return id, nil
}

// verifyToken checks that token was made by token with these arguments.
// The error wraps ErrBadToken.
func verifyToken(key []byte, token, purpose string, id int64, email string) error {
	_, macPart, _ := strings.Cut(token, ".")
	got, err := base64.RawURLEncoding.DecodeString(macPart)
	if err != nil || !hmac.Equal(got, tokenMAC(key, purpose, id, email)) {
		return ErrBadToken
	}
	return nil
}
