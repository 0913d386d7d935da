// Package monwire is the codec of the status part of Spread 4.x's monitor
// protocol (UDP, docs/protocol.md §17): the 40-byte packet header, the
// status query spmonitor sends and the 96-byte status record a daemon
// answers with, in either byte order. It knows no other monitor packet
// well enough to build one: spgo never sends partition, flow-control,
// kill or reload commands.
package monwire

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Packet types (the high byte of the header's type field) and constants
// of the monitor protocol (docs/protocol.md §17.1).
const (
	StatusType    uint32 = 0x01000000
	PartitionType uint32 = 0x02000000
	FCType        uint32 = 0x04000000
	ReloadType    uint32 = 0x08000000
	ControlType   uint32 = 0x0f000000

	// EndianMarker is set in the type of a little-endian sender.
	EndianMarker uint32 = 0x80000080

	// Magic is the memb_id.proc_id of a monitor's query.
	Magic uint32 = 15051963
	// MonitorHash is the conf_hash a monitor puts in its packets; a daemon
	// also accepts its own configuration's hash.
	MonitorHash uint32 = 1100

	HeaderSize = 40
	StatusSize = 96 // 18 int32 and 12 int16, no padding
	ReplySize  = HeaderSize + StatusSize
)

// Header is the packet_header that starts every monitor datagram.
type Header struct {
	Type         uint32 // packet type bits, endian marker removed
	TransmiterID uint32 // (sic) the sending daemon's address; 0 from a monitor
	ProcID       uint32 // query: the monitor's claimed address; reply: the daemon's
	MembProcID   uint32 // query: Magic
	MembTime     uint32
	Seq          uint32 // query: the UDP port the reply is sent to
	TokenRound   uint32
	ConfHash     uint32
	DataLen      uint16 // bytes after the header
	Padding      uint16
	FragIndex    int16
	FragLen      int16
}

// ByteOrder is binary.LittleEndian or binary.BigEndian.
type ByteOrder interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

// ErrShort is wrapped by the error for a datagram too short to hold a
// header.
var ErrShort = errors.New("monwire: datagram shorter than the 40-byte header")

// OrderOf returns the byte order of a datagram from its type field: a
// little-endian sender sets EndianMarker, a big-endian one does not
// (docs/protocol.md §17.1).
func OrderOf(b []byte) (ByteOrder, error) {
	if len(b) < 4 {
		return nil, fmt.Errorf("%w (%d bytes)", ErrShort, len(b))
	}
	if binary.LittleEndian.Uint32(b)&EndianMarker == EndianMarker {
		return binary.LittleEndian, nil
	}
	return binary.BigEndian, nil
}

// DecodeHeader decodes the header in its own byte order.
func DecodeHeader(b []byte) (Header, ByteOrder, error) {
	if len(b) < HeaderSize {
		return Header{}, nil, fmt.Errorf("%w (%d bytes)", ErrShort, len(b))
	}
	o, _ := OrderOf(b)
	h := Header{
		Type:         o.Uint32(b[0:]) &^ EndianMarker,
		TransmiterID: o.Uint32(b[4:]),
		ProcID:       o.Uint32(b[8:]),
		MembProcID:   o.Uint32(b[12:]),
		MembTime:     o.Uint32(b[16:]),
		Seq:          o.Uint32(b[20:]),
		TokenRound:   o.Uint32(b[24:]),
		ConfHash:     o.Uint32(b[28:]),
		DataLen:      o.Uint16(b[32:]),
		Padding:      o.Uint16(b[34:]),
		FragIndex:    int16(o.Uint16(b[36:])),
		FragLen:      int16(o.Uint16(b[38:])),
	}
	return h, o, nil
}

// AppendHeader appends h in order o, with the endian marker a
// little-endian sender sets.
func AppendHeader(dst []byte, h *Header, o ByteOrder) []byte {
	t := h.Type &^ EndianMarker
	if o == binary.LittleEndian {
		t |= EndianMarker
	}
	dst = o.AppendUint32(dst, t)
	for _, v := range []uint32{h.TransmiterID, h.ProcID, h.MembProcID, h.MembTime, h.Seq, h.TokenRound, h.ConfHash} {
		dst = o.AppendUint32(dst, v)
	}
	dst = o.AppendUint16(dst, h.DataLen)
	dst = o.AppendUint16(dst, h.Padding)
	dst = o.AppendUint16(dst, uint16(h.FragIndex))
	return o.AppendUint16(dst, uint16(h.FragLen))
}

// Kind names a packet type for logs: "status", "partition", "flow control",
// "reload", or the bits in hex.
func Kind(t uint32) string {
	switch {
	case t&PartitionType != 0 && t&StatusType != 0:
		return fmt.Sprintf("partition|status 0x%08x", t)
	case t&PartitionType != 0:
		return "partition"
	case t&StatusType != 0:
		return "status"
	case t&FCType != 0:
		return "flow control"
	case t&ReloadType != 0:
		return "reload"
	}
	return fmt.Sprintf("0x%08x", t)
}
