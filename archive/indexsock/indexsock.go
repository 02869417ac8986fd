// Package indexsock lets the terminal commands use the search index that a
// running `mailbag serve` holds open. A bleve index can be open in one
// process only, so serve answers on a unix socket in the home
// (.mailbag/index.sock), and search, show, answer, publish, import,
// reindex and build send it their searches and their changes: serve alone
// writes the index while it runs. With no serve, commands open the index
// themselves (see Dial).
//
// The protocol is HTTP with JSON bodies, on the socket only: POST /search,
// /related, /sync, /rebuild and /merge. It is not for the network, nor for
// other users: the socket file is 0600, in the home or in a folder of the
// user's own, and serve answers only connections from its own user (the
// peer's credentials, SO_PEERCRED, on Linux).
package indexsock

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"mailbag/archive/search"
	"net"
	"os"
	"path/filepath"
)

// socketName is the socket's file name in the home's state folder.
const socketName = "index.sock"

// maxSocketPath is the longest path a unix socket may have (sun_path is
// 108 bytes on Linux, 104 elsewhere), with room to spare.
const maxSocketPath = 100

// Address returns the socket of the state folder stateDir: the file
// stateDir/index.sock, or, where that path is too long for a unix socket,
// a socket named for the home in a folder only this user may enter
// ($XDG_RUNTIME_DIR/mailbag, else mailbag-UID in the temporary folder).
// Never an abstract socket: file permissions do not guard those. The
// error says what to do when no such folder can be had.
func Address(stateDir string) (string, error) {
	path := filepath.Join(stateDir, socketName)
	if len(path) <= maxSocketPath {
		return path, nil
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	dir, err := privateDir()
	if err != nil {
		return "", fmt.Errorf("indexsock: %s is too long for a unix socket, and %w", path, err)
	}
	sum := sha256.Sum256([]byte(abs))
	path = filepath.Join(dir, "index-"+hex.EncodeToString(sum[:12])+".sock")
	if len(path) > maxSocketPath {
		return "", fmt.Errorf("indexsock: %s is too long for a unix socket, and so is %s: set XDG_RUNTIME_DIR to a short folder of yours, or move the home", filepath.Join(stateDir, socketName), path)
	}
	return path, nil
}

// privateDir returns a folder for sockets that only this user may enter,
// made if need be: mailbag in $XDG_RUNTIME_DIR, else mailbag-UID in the
// temporary folder. One that another user owns, or that others may
// enter, or that is a symbolic link, is refused.
func privateDir() (string, error) {
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("mailbag-%d", os.Getuid()))
	if run := os.Getenv("XDG_RUNTIME_DIR"); run != "" {
		dir = filepath.Join(run, "mailbag")
	}
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return "", fmt.Errorf("cannot make a private folder for it: %w", err)
	}
	if err := checkPrivate(dir); err != nil {
		return "", err
	}
	return dir, nil
}

// Listen listens on addr (see Address), a socket only this user may
// connect to (mode 0600). A socket file left there by a serve that died
// is removed first: call Listen only while holding the index, so that no
// other serve can be listening.
func Listen(addr string) (net.Listener, error) {
	if err := os.Remove(addr); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("indexsock: %w", err)
	}
	ln, err := net.Listen("unix", addr)
	if err != nil {
		return nil, fmt.Errorf("indexsock: %w", err)
	}
	if err := os.Chmod(addr, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("indexsock: %w", err)
	}
	return ln, nil
}

// searchRequest, relatedRequest and the replies are the JSON bodies.
type (
	relatedRequest struct {
		Text    string `json:"text"`
		N       int    `json:"n"`
		Answers bool   `json:"answers"` // Answers
	}
	syncReply struct {
		Indexed    int      `json:"indexed"`
		Removed    int      `json:"removed"`
		Problems   []string `json:"problems,omitempty"`
		Model      string   `json:"model,omitempty"` // SyncResult.Model
		Generation uint64   `json:"generation"`
	}
	errorReply struct {
		Error    string `json:"error"`
		BadQuery bool   `json:"bad_query,omitempty"`
	}
)

// syncReplyOf returns res as sent.
func syncReplyOf(res search.SyncResult) syncReply {
	r := syncReply{Indexed: res.Indexed, Removed: res.Removed, Generation: res.Generation}
	for _, p := range res.Problems {
		r.Problems = append(r.Problems, p.Error())
	}
	if res.Model != nil {
		r.Model = res.Model.Error()
	}
	return r
}

// result returns r as received.
func (r syncReply) result() search.SyncResult {
	res := search.SyncResult{Indexed: r.Indexed, Removed: r.Removed, Generation: r.Generation}
	for _, p := range r.Problems {
		res.Problems = append(res.Problems, errors.New(p))
	}
	if r.Model != "" {
		res.Model = errors.New(r.Model)
	}
	return res
}
