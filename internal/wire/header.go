package wire

import "encoding/binary"

// Header is the 48-byte header that starts every message after the
// handshake, in both directions (docs/protocol.md §5.1).
type Header struct {
	// Type holds the service and message-type bits with the endian marker
	// removed.
	Type uint32
	// Sender is the sender's private group name (data, requests, rejects)
	// or the group name (membership messages), kept verbatim.
	Sender    Name
	NumGroups int32
	// Hint is bytes 40..43 read as little-endian and never swapped: the
	// daemon passes them through in the original sender's order (docs/protocol.md §5.3), so
	// writing Hint back little-endian reproduces the received bytes.
	Hint    uint32
	DataLen int32
	// BigEndian is true when the writer of this header was big-endian (both
	// marker bits clear); Type, NumGroups and DataLen are already swapped.
	BigEndian bool
}

// DecodeHeader decodes the first 48 bytes of b. A type field with only one
// of the two marker bits set belongs to no byte order and is an error.
func DecodeHeader(b []byte) (Header, error) {
	var h Header
	if len(b) < HeaderSize {
		return h, short("header", HeaderSize, len(b))
	}
	le, be := binary.LittleEndian, binary.BigEndian
	t := le.Uint32(b[0:4])
	switch t & EndianMarker {
	case EndianMarker:
	case 0:
		h.BigEndian = true
		t = be.Uint32(b[0:4])
	default:
		return h, &FrameError{Frame: "header", Field: "type", Value: int64(t), Msg: "has only one endian marker bit"}
	}
	h.Type = t &^ EndianMarker
	copy(h.Sender[:], b[4:36])
	h.Hint = le.Uint32(b[40:44])
	// Concrete byte orders, not a binary.ByteOrder interface: every frame
	// is decoded here, and the interface's calls are not inlined.
	if h.BigEndian {
		h.NumGroups = int32(be.Uint32(b[36:40]))
		h.DataLen = int32(be.Uint32(b[44:48]))
	} else {
		h.NumGroups = int32(le.Uint32(b[36:40]))
		h.DataLen = int32(le.Uint32(b[44:48]))
	}
	return h, nil
}

// AppendHeader appends h little-endian with the marker set in Type. Hint is
// written as it is held (see Header.Hint).
func AppendHeader(dst []byte, h *Header) []byte {
	le := binary.LittleEndian
	dst = le.AppendUint32(dst, h.Type|EndianMarker)
	dst = append(dst, h.Sender[:]...)
	dst = le.AppendUint32(dst, uint32(h.NumGroups))
	dst = le.AppendUint32(dst, h.Hint)
	return le.AppendUint32(dst, uint32(h.DataLen))
}

// MakeHint builds the hint field of a data message sent by spgo (always a
// little-endian writer): the 16-bit message type shifted left by 8, with the
// marker (docs/protocol.md §5.3).
func MakeHint(messType int16) uint32 {
	return uint32(uint16(messType))<<8 | EndianMarker
}

// MessType extracts the 16-bit message type from a hint as a little-endian
// reader does, and reports whether the original sender had the other byte
// order (libspread's endian_mismatch).
func MessType(hint uint32) (messType int16, endianMismatch bool) {
	if hint&EndianMarker != EndianMarker {
		hint = swap32(hint)
		endianMismatch = true
	}
	return int16(uint16((hint &^ EndianMarker) >> 8)), endianMismatch
}

func swap32(v uint32) uint32 {
	return v>>24 | (v>>8)&0xff00 | (v<<8)&0xff0000 | v<<24
}

// ByteOrder returns the order in which the rest of this message's integers
// (the membership body, a reject's old_type) are written.
func (h *Header) ByteOrder() binary.ByteOrder {
	if h.BigEndian {
		return binary.BigEndian
	}
	return binary.LittleEndian
}

// IsRegular reports a data message as libspread does: a service bit and no
// REJECT_MESS.
func (h *Header) IsRegular() bool { return h.Type&RegularMess != 0 && h.Type&RejectMess == 0 }

// IsMembership reports a membership (or self-leave or transition) message.
func (h *Header) IsMembership() bool {
	return h.Type&MembershipMess != 0 && h.Type&RejectMess == 0
}

// IsReject reports a REJECT_MESS, which carries a 4-byte old_type.
func (h *Header) IsReject() bool { return h.Type&RejectMess != 0 }

// IsSelfLeave reports the message a leaving session gets (docs/protocol.md §7.4).
func (h *Header) IsSelfLeave() bool {
	return h.Type&CausedByLeave != 0 && h.Type&(RegMembMess|TransitionMess) == 0
}

// Kind is what a received frame is, as libspread classifies it.
type Kind int

const (
	KindOther      Kind = iota // none of the three: an illegal frame for a client
	KindRegular                // a data message
	KindReject                 // a REJECT_MESS, with an old_type after the header
	KindMembership             // a membership, transitional or self-leave message
)

// Kind classifies h: a reject first (REJECT_MESS wins over every other bit),
// then data, then membership.
func (h *Header) Kind() Kind {
	switch {
	case h.IsReject():
		return KindReject
	case h.IsRegular():
		return KindRegular
	case h.IsMembership():
		return KindMembership
	}
	return KindOther
}

// Delivered is what a receiver reports for the frame h starts: the service
// type (for a reject, its old_type with REJECT_MESS added) and, for data and
// rejects, the message type from the hint and whether the sender had the
// other byte order. oldType is the reject's old_type field, ignored for
// other kinds.
func (h *Header) Delivered(oldType uint32) (service uint32, messType int16, endianMismatch bool) {
	switch h.Kind() {
	case KindReject:
		messType, endianMismatch = MessType(h.Hint)
		return oldType&^EndianMarker | RejectMess, messType, endianMismatch
	case KindRegular:
		messType, endianMismatch = MessType(h.Hint)
		return h.Type, messType, endianMismatch
	}
	return h.Type, 0, false
}

// Limits bounds what a reader accepts before it allocates anything.
type Limits struct {
	MaxGroups  int // largest num_groups accepted
	MaxDataLen int // largest data_len accepted
	MaxTotal   int // largest data_len + 32*num_groups accepted
}

// ClientReadLimits are generous bounds for what a daemon may send a client:
// membership messages can list every session (997) as a member.
var ClientReadLimits = Limits{MaxGroups: 4096, MaxDataLen: 1 << 20, MaxTotal: 1 << 21}

// DaemonReadLimits are the real daemon's header checks (docs/protocol.md §6.5).
var DaemonReadLimits = Limits{MaxGroups: MaxGroupsPerMessage, MaxDataLen: MaxMessageBodyLen, MaxTotal: HeaderCheckLimit}

// CheckLengths validates num_groups and data_len against l and returns the
// number of bytes that follow the header (old_type, groups, body).
func (h *Header) CheckLengths(l Limits) (int, error) {
	if h.NumGroups < 0 || int(h.NumGroups) > l.MaxGroups {
		return 0, &FrameError{Frame: "header", Field: "num_groups", Value: int64(h.NumGroups), Limit: int64(l.MaxGroups)}
	}
	if h.DataLen < 0 || int(h.DataLen) > l.MaxDataLen {
		return 0, &FrameError{Frame: "header", Field: "data_len", Value: int64(h.DataLen), Limit: int64(l.MaxDataLen)}
	}
	total := int(h.DataLen) + MaxGroupName*int(h.NumGroups)
	if total > l.MaxTotal {
		return 0, &FrameError{Frame: "header", Field: "data_len+32*num_groups", Value: int64(total), Limit: int64(l.MaxTotal)}
	}
	if h.IsReject() {
		total += OldTypeSize
	}
	return total, nil
}
