package tap

import (
	"errors"
	"fmt"

	"github.com/spgo/spgo/internal/wire"
)

// hello reads the client's hello (docs/protocol.md §4.2).
func (c *Conversation) hello(s *stream, b []byte) (Frame, int) {
	h, n, err := wire.DecodeHello(b)
	var short *wire.ShortError
	if errors.As(err, &short) {
		return Frame{}, 0
	}
	if err != nil {
		return undecodable(s, b, "hello: "+err.Error())
	}
	f := Frame{Kind: KindConnect, Name: string(h.Name), Membership: h.Membership(), Priority: h.Priority(),
		Version: fmt.Sprintf("%d.%d.%d", int8(h.Major), int8(h.Minor), int8(h.Patch))}
	s.state = stateMessages
	if wire.VersionNumber(h.Major, h.Minor, 0) >= wire.AuthVersion {
		s.state = stateAuthChoice
	}
	return f, n
}

// authChoice reads the client's 90-byte choice (docs/protocol.md §4.4).
func authChoice(s *stream, b []byte) (Frame, int) {
	if len(b) < wire.AuthChoiceSize {
		return Frame{}, 0
	}
	methods, _ := wire.DecodeAuthChoice(b[:wire.AuthChoiceSize])
	s.state = stateMessages
	return Frame{Kind: KindAuthChoice, Methods: methods}, wire.AuthChoiceSize
}

// offer reads the daemon's first unit: a reject code, or the auth offer
// (docs/protocol.md §4.4), or for a client too old to authenticate the
// accept itself.
func (c *Conversation) offer(s *stream, b []byte) (Frame, int) {
	if b[0] >= 0x80 {
		return handshakeReject(s, b[0])
	}
	if !c.usesAuth() {
		return acceptByte(s, b)
	}
	n := 1 + int(b[0])
	if len(b) < n {
		return Frame{}, 0
	}
	s.state = stateAccept
	return Frame{Kind: KindAuthOffer, Methods: wire.ParseAuthOffer(b[1:n])}, n
}

// acceptByte reads the accept byte, or the reject code sent instead
// (docs/protocol.md §4.6, §4.7).
func acceptByte(s *stream, b []byte) (Frame, int) {
	if int8(b[0]) != wire.AcceptSession {
		return handshakeReject(s, b[0])
	}
	s.state = stateVersion
	return Frame{Kind: KindAccept, Code: wire.HandshakeCodeName(b[0])}, 1
}

// handshakeReject is a reject code: the daemon closes after it, so anything
// after it is unexpected.
func handshakeReject(s *stream, code byte) (Frame, int) {
	s.state = stateRaw
	return Frame{Kind: KindHandshakeReject, Code: wire.HandshakeCodeName(code)}, 1
}

// daemonVersion reads the daemon's version: three bytes, two for a client
// older than 3.15 (docs/protocol.md §4.6).
func (c *Conversation) daemonVersion(s *stream, b []byte) (Frame, int) {
	n := 3
	if c.helloSeen && !wire.HasPatchByte(c.major, c.minor) {
		n = 2
	}
	if len(b) < n {
		return Frame{}, 0
	}
	v := fmt.Sprintf("%d.%d", int8(b[0]), int8(b[1]))
	if n == 3 {
		v += fmt.Sprintf(".%d", int8(b[2]))
	}
	s.state = statePrivate
	return Frame{Kind: KindVersion, Version: v}, n
}

// privateGroup reads the length byte and the session's private group name.
func privateGroup(s *stream, b []byte) (Frame, int) {
	n := 1 + int(b[0])
	if len(b) < n {
		return Frame{}, 0
	}
	s.state = stateMessages
	return Frame{Kind: KindPrivateGroup, PrivateGroup: string(b[1:n])}, n
}
