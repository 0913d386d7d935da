package daemon

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"time"

	"github.com/spgo/spgo/internal/wire"
)

// Handshake codes as they travel (docs/protocol.md §2.2): wire's signed codes as bytes.
const (
	codeQuota       = wire.RejectQuota & 0xff
	codeIllegalName = wire.RejectIllegalName & 0xff
	codeNotUnique   = wire.RejectNotUnique & 0xff
	codeVersion     = wire.RejectVersion & 0xff
	codeAuth        = wire.RejectAuth & 0xff
)

// choiceGrace is how long the rest of a 90-byte auth choice may trail its
// first bytes. libspread sends the choice with one send(), the real daemon
// reads it with one recv() and rejects a short one (capture 08_reject_auth.txt, connection D); waiting a
// little tolerates a split segment without stalling on a truncated choice.
const choiceGrace = 200 * time.Millisecond

// offerNULL is the auth offer of a default daemon: only NULL enabled.
var offerNULL = wire.AppendAuthOffer(nil, []string{"NULL"})

// rejection is a handshake failure: the code to send (0 = close silently)
// and why, for the log.
type rejection struct {
	code   byte
	reason string
}

func (r *rejection) Error() string { return r.reason }

func reject(code byte, format string, args ...any) error {
	return &rejection{code: code, reason: fmt.Sprintf(format, args...)}
}

// handshake runs docs/protocol.md §4.3-4.6 with a deadline instead of the real daemon's
// one-segment rule. On success the session is live and its accept is the
// first thing its writer writes.
func (s *session) handshake() error {
	d := s.d
	in := &s.in
	s.hsDeadline = time.Now().Add(d.cfg.HandshakeTimeout)
	in.deadline(s.hsDeadline)

	// Version: two bytes, the patch byte only after 3.14; flags and N.
	if err := in.need(2); err != nil {
		return silent(err, "reading the hello")
	}
	b := in.bytes()
	prefix := wire.HelloPrefixLen(b[0], b[1])
	if err := in.need(prefix); err != nil {
		return silent(err, "reading the hello")
	}
	hello, _, err := wire.DecodeHello(in.bytes()[:prefix])
	in.consume(prefix)
	v := fmt.Sprintf("%d.%d.%d", int8(hello.Major), int8(hello.Minor), int8(hello.Patch))
	s.version = v
	if hello.Version() < wire.MinVersion {
		return reject(codeVersion, "client version %s is below 3.1.0", v)
	}
	nameLen := 0
	var frameErr *wire.FrameError
	var shortErr *wire.ShortError
	switch {
	case errors.As(err, &frameErr):
		return reject(codeIllegalName, "private name length %d, allowed 0..%d", frameErr.Value, wire.MaxPrivateName)
	case errors.As(err, &shortErr):
		nameLen = shortErr.Need - prefix
	}
	s.membership = hello.Membership()
	s.priority = hello.Priority()

	var name string
	if nameLen > 0 {
		if err := in.need(nameLen); err != nil {
			return silent(err, "reading the private name")
		}
		nb := in.bytes()[:nameLen]
		in.consume(nameLen)
		// The real daemon reads the name with one recv of up to 10 bytes
		// and rejects a count != N: bytes pipelined after a short name
		// (an early auth choice) get 0xfb (capture 06_reject_illegal_name.txt, connections D and E).
		if nameLen < wire.MaxPrivateName && in.buffered() > 0 {
			return reject(codeIllegalName, "%d bytes sent after the %d-byte private name before the auth offer", in.buffered(), nameLen)
		}
		if err := wire.CheckPrivateName(nb); err != nil {
			return reject(codeIllegalName, "%v", err)
		}
		name = string(nb)
	}
	if err := d.seq.reserve(s, name); err != nil {
		return err
	}

	if hello.Version() >= wire.AuthVersion {
		if err := s.writeRaw(offerNULL); err != nil {
			return silent(err, "writing the auth offer")
		}
		if err := s.readChoice(); err != nil {
			return err
		}
	}
	in.deadline(time.Time{})
	// The accept goes out through the writer, ahead of anything ordered for
	// the session: it is addressable from the moment the accept is queued.
	return d.seq.goLive(s, wire.AppendAccept(nil, wire.HasPatchByte(hello.Major, hello.Minor), s.pgroup))
}

// readChoice reads the 90-byte auth choice and accepts it if it names
// only NULL (any number of times, capture 08_reject_auth.txt, connection E).
func (s *session) readChoice() error {
	in := &s.in
	if err := in.need(1); err != nil {
		return silent(err, "waiting for the auth choice")
	}
	if in.buffered() < wire.AuthChoiceSize {
		limit := time.Now().Add(choiceGrace)
		if s.hsDeadline.Before(limit) {
			limit = s.hsDeadline
		}
		in.deadline(limit)
		if err := in.need(wire.AuthChoiceSize); err != nil {
			if !errors.Is(err, os.ErrDeadlineExceeded) {
				return silent(err, "reading the auth choice")
			}
			return reject(codeAuth, "auth choice has %d bytes, 90 needed", in.buffered())
		}
	}
	methods, _ := wire.DecodeAuthChoice(in.bytes()[:wire.AuthChoiceSize])
	in.consume(wire.AuthChoiceSize)
	if len(methods) == 0 {
		return reject(codeAuth, "auth choice names no method, NULL is the one enabled")
	}
	for _, m := range methods {
		if m != "NULL" {
			return reject(codeAuth, "auth method %q is not enabled, NULL is the one enabled", m)
		}
	}
	return nil
}

// silent wraps a read/write failure in the handshake: close without a code.
func silent(err error, during string) error {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return &rejection{reason: "handshake timed out " + during}
	}
	return &rejection{reason: fmt.Sprintf("connection lost %s: %v", during, err)}
}

// inventName builds a private name for a client that sent none, the way
// the real daemon does (docs/protocol.md §4.5): "r<0..9998>-<n>", cut to 9 characters; the
// real daemon's n is its socket descriptor, ours the connection number.
// The caller retries until the name is unused.
func inventName(n uint64) string {
	s := "r" + strconv.Itoa(rand.IntN(9999)) + "-" + strconv.FormatUint(n, 10)
	if len(s) > wire.MaxPrivateName-1 {
		s = s[:wire.MaxPrivateName-1]
	}
	return s
}
