// Package wiretest builds and takes apart whole frames for tests: a peer that
// writes any frame, big-endian ones included, and a decoder that copies a
// frame into plain fields to compare. Production code reads and writes
// frames with package wire's header, name and body codecs, which do not
// allocate; nothing outside tests imports this package.
package wiretest

import (
	"encoding/binary"

	"github.com/spgo/spgo/internal/wire"
)

// Message is one whole frame after the handshake: header, the old_type of a
// REJECT_MESS, the group names and the body. Decoded messages alias the
// input; callers copy what they keep.
type Message struct {
	wire.Header
	OldType uint32 // REJECT_MESS only, marker removed
	Groups  []wire.Name
	Body    []byte
}

// Decode decodes one frame from the start of b within the limits l and
// returns how many bytes it used.
func Decode(b []byte, l wire.Limits) (Message, int, error) {
	var m Message
	h, err := wire.DecodeHeader(b)
	if err != nil {
		return m, 0, err
	}
	rest, err := h.CheckLengths(l)
	if err != nil {
		return m, 0, err
	}
	if len(b) < wire.HeaderSize+rest {
		return m, 0, &wire.ShortError{Frame: "message", Need: wire.HeaderSize + rest, Have: len(b)}
	}
	m.Header = h
	p := b[wire.HeaderSize : wire.HeaderSize+rest]
	if h.IsReject() {
		m.OldType = h.ByteOrder().Uint32(p) &^ wire.EndianMarker
		p = p[wire.OldTypeSize:]
	}
	if h.NumGroups > 0 {
		m.Groups = make([]wire.Name, h.NumGroups)
		for i := range m.Groups {
			copy(m.Groups[i][:], p[i*wire.MaxGroupName:])
		}
	}
	m.Body = p[int(h.NumGroups)*wire.MaxGroupName:]
	return m, wire.HeaderSize + rest, nil
}

// Append appends m as a little-endian writer does: header (NumGroups and
// DataLen taken from Groups and Body), old_type for a reject, groups, body.
// With m.BigEndian set it writes the frame as a big-endian peer would.
func Append(dst []byte, m *Message) []byte {
	h := m.Header
	h.NumGroups = int32(len(m.Groups))
	h.DataLen = int32(len(m.Body))
	start := len(dst)
	dst = wire.AppendHeader(dst, &h)
	if h.IsReject() {
		dst = binary.LittleEndian.AppendUint32(dst, m.OldType|wire.EndianMarker)
	}
	for i := range m.Groups {
		dst = append(dst, m.Groups[i][:]...)
	}
	dst = append(dst, m.Body...)
	if m.BigEndian {
		toBigEndian(dst[start:], h.IsReject())
	}
	return dst
}

// AppendHeaderBigEndian appends h as a big-endian writer would: both marker
// bits clear, type, group count and length in network order, the hint as
// held (it is passed through verbatim, docs/protocol.md §5.3).
func AppendHeaderBigEndian(dst []byte, h *wire.Header) []byte {
	start := len(dst)
	dst = wire.AppendHeader(dst, h)
	toBigEndian(dst[start:], false)
	return dst
}

// toBigEndian rewrites a little-endian frame written by wire.AppendHeader in
// place: the byte-ordered header fields (type at 0, num_groups at 36,
// data_len at 44) and a reject's old_type are swapped, markers cleared.
func toBigEndian(frame []byte, reject bool) {
	le, be := binary.LittleEndian, binary.BigEndian
	offsets := []int{0, 36, 44}
	if reject {
		offsets = append(offsets, wire.HeaderSize)
	}
	for _, off := range offsets {
		v := le.Uint32(frame[off:])
		if off == 0 || off == wire.HeaderSize {
			v &^= wire.EndianMarker
		}
		be.PutUint32(frame[off:], v)
	}
}
