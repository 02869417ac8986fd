// Package indexsock lets the terminal commands use the search index that a
// running `mailbag serve` holds open. A bleve index can be open in one
// process only, so serve answers on a unix socket in the home
// (.mailbag/index.sock), and search, show, answer, publish, import,
// reindex and build send it their searches and their changes: serve alone
// writes the index while it runs. With no serve, commands open the index
// themselves (see Dial).
//
// The protocol is HTTP with JSON bodies, on the socket only: POST /search,
// /related, /sync and /rebuild. It is not for the network: the socket is
// the home's, reachable by whoever may read the home.
package indexsock

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"

	"mailbag/archive"
)

// SocketName is the socket's file name in the home's state folder.
const SocketName = "index.sock"

// maxSocketPath is the longest path a unix socket may have (sun_path is
// 108 bytes on Linux, 104 elsewhere), with room to spare.
const maxSocketPath = 100

// Address is the socket of the state folder stateDir: the file
// stateDir/index.sock, or, where that path is too long for a unix socket,
// an abstract socket (Linux) named from it.
func Address(stateDir string) string {
	path := filepath.Join(stateDir, SocketName)
	if len(path) <= maxSocketPath {
		return path
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	sum := sha256.Sum256([]byte(abs))
	return "@mailbag-index-" + hex.EncodeToString(sum[:12])
}

// Listen listens on addr (see Address). A socket file left there by a
// serve that died is removed first: call Listen only while holding the
// index, so that no other serve can be listening.
func Listen(addr string) (net.Listener, error) {
	if addr[0] != '@' {
		if err := os.Remove(addr); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("indexsock: %w", err)
		}
	}
	ln, err := net.Listen("unix", addr)
	if err != nil {
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
		Generation uint64   `json:"generation"`
	}
	errorReply struct {
		Error    string `json:"error"`
		BadQuery bool   `json:"bad_query,omitempty"`
	}
)

// syncReplyOf is res as sent.
func syncReplyOf(res archive.SyncResult) syncReply {
	r := syncReply{Indexed: res.Indexed, Removed: res.Removed, Generation: res.Generation}
	for _, p := range res.Problems {
		r.Problems = append(r.Problems, p.Error())
	}
	return r
}

// result is r as received.
func (r syncReply) result() archive.SyncResult {
	res := archive.SyncResult{Indexed: r.Indexed, Removed: r.Removed, Generation: r.Generation}
	for _, p := range r.Problems {
		res.Problems = append(res.Problems, errors.New(p))
	}
	return res
}
