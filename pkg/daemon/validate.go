package daemon

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/bits"

	"github.com/spgo/spgo/internal/wire"
)

// hintMask is the set of hint bits a client may use (docs/protocol.md §6.5 item 4): the
// 16-bit message type and the endian marker.
const hintMask uint32 = 0x80ffff80

// requestBits are the three client requests that are not data.
const requestBits = wire.JoinMess | wire.LeaveMess | wire.KillMess

// checkHeader applies docs/protocol.md §6.5 to a client's 48-byte header, and is stricter in
// the ways docs/protocol.md §13 asks: REJECT_MESS and membership bits are
// refused. It returns the decoded header and the frame's total length, or an
// error naming the bad field; any error kills the session.
func checkHeader(b []byte, s *session) (wire.Header, int, error) {
	h, err := wire.DecodeHeader(b)
	if err != nil {
		return h, 0, err
	}
	kind := h.Type & (wire.RegularMess | requestBits)
	if bits.OnesCount32(kind) != 1 {
		return h, 0, fmt.Errorf("type 0x%08x has %d service/request bits, exactly 1 allowed", h.Type, bits.OnesCount32(kind))
	}
	if bad := h.Type & (wire.RejectMess | wire.MembershipMess); bad != 0 {
		return h, 0, fmt.Errorf("type 0x%08x has daemon-only bits 0x%08x (REJECT_MESS/membership)", h.Type, bad)
	}
	if err := checkSender(&h.Sender, s); err != nil {
		return h, 0, err
	}
	if h.Hint&^hintMask != 0 {
		return h, 0, fmt.Errorf("hint 0x%08x has bits outside 0x%08x", h.Hint, hintMask)
	}
	rest, err := h.CheckLengths(wire.DaemonReadLimits)
	if err != nil {
		return h, 0, err
	}
	if h.Type&(wire.JoinMess|wire.LeaveMess) != 0 && h.NumGroups < 1 {
		// The real daemon would read stale buffer bytes as the name.
		return h, 0, fmt.Errorf("join/leave with num_groups %d, at least 1 needed", h.NumGroups)
	}
	return h, wire.HeaderSize + rest, nil
}

// checkSender: the sender field (byte 31 treated as NUL) must be exactly
// this session's private group "#name#daemon" (docs/protocol.md §6.5 item 2).
func checkSender(f *wire.Name, s *session) error {
	b := f[:wire.MaxGroupName-1]
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	if !bytes.Equal(b, s.pfield.Bytes()) {
		return fmt.Errorf("sender %q is not this session's private group %q", string(b), s.pgroup)
	}
	return nil
}

// checkGroupName is the JOIN/LEAVE rule (stricter than the real daemon,
// which overflows on a name without NUL and accepts any bytes): the name
// ends at a NUL inside the field and passes wire.CheckGroupName, so private
// group names cannot be joined.
func checkGroupName(f []byte) ([]byte, error) {
	i := bytes.IndexByte(f, 0)
	if i < 0 {
		return nil, fmt.Errorf("group name field has no NUL in %d bytes", len(f))
	}
	name := f[:i]
	if err := wire.CheckGroupName(name); err != nil {
		return nil, err
	}
	return name, nil
}

// toLittleEndian rewrites the integer fields of a big-endian client's
// header in place, so that every receiver gets the daemon's byte order with
// its marker (docs/protocol.md §5.2); the hint stays as the sender wrote it (§5.3).
func toLittleEndian(b []byte, h *wire.Header) {
	le := binary.LittleEndian
	le.PutUint32(b[0:4], h.Type|wire.EndianMarker)
	le.PutUint32(b[36:40], uint32(h.NumGroups))
	le.PutUint32(b[44:48], uint32(h.DataLen))
}
