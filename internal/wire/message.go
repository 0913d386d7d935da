package wire

import "encoding/binary"

// Message is one whole frame after the handshake: header, the old_type of a
// REJECT_MESS, the group names and the body. Decoded messages alias the
// input; callers copy what they keep.
type Message struct {
	Header
	OldType uint32 // REJECT_MESS only, marker removed
	Groups  []Name
	Body    []byte
}

// DecodeMessage decodes one frame from the start of b within the limits l
// and returns how many bytes it used. The groups slice is the only
// allocation and its size is checked first.
func DecodeMessage(b []byte, l Limits) (Message, int, error) {
	var m Message
	h, err := DecodeHeader(b)
	if err != nil {
		return m, 0, err
	}
	rest, err := h.CheckLengths(l)
	if err != nil {
		return m, 0, err
	}
	if len(b) < HeaderSize+rest {
		return m, 0, short("message", HeaderSize+rest, len(b))
	}
	m.Header = h
	p := b[HeaderSize : HeaderSize+rest]
	if h.IsReject() {
		m.OldType = h.ByteOrder().Uint32(p) &^ EndianMarker
		p = p[OldTypeSize:]
	}
	if h.NumGroups > 0 {
		m.Groups = make([]Name, h.NumGroups)
		for i := range m.Groups {
			copy(m.Groups[i][:], p[i*MaxGroupName:])
		}
	}
	m.Body = p[int(h.NumGroups)*MaxGroupName:]
	return m, HeaderSize + rest, nil
}

// AppendMessage appends m little-endian: header (NumGroups and DataLen taken
// from Groups and Body), old_type for a reject, groups, body.
func AppendMessage(dst []byte, m *Message) []byte {
	h := m.Header
	h.NumGroups = int32(len(m.Groups))
	h.DataLen = int32(len(m.Body))
	dst = AppendHeader(dst, &h)
	if h.IsReject() {
		dst = binary.LittleEndian.AppendUint32(dst, m.OldType|EndianMarker)
	}
	for i := range m.Groups {
		dst = append(dst, m.Groups[i][:]...)
	}
	return append(dst, m.Body...)
}
