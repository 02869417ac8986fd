//go:build !linux

package indexsock

import "net"

// peerUID cannot read the peer's credentials here; the socket file's
// mode (0600) alone keeps other users out.
func peerUID(net.Conn) (uid int, known bool, err error) { return 0, false, nil }
