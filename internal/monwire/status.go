package monwire

import (
	"encoding/binary"
	"fmt"
	"strings"
)

// Status is the status record a daemon answers with (docs/protocol.md
// §17.3): its membership and token counters, windows, sessions, groups and
// version. Addresses are IPv4 as numbers.
type Status struct {
	Sec               int32 // seconds since the daemon started
	State             int32 // membership state: 1 OP, 2 SEG, 3 REPRESENTED, 4 GATHER, 5 FORM, 6 EVS
	GState            int32 // groups state: 1 GOP, 2 GTRANS, 3 GGATHER, 4 GGT
	PacketSent        int32
	PacketRecv        int32
	PacketDelivered   int32
	Retrans           int32
	URetrans          int32
	SRetrans          int32
	BRetrans          int32
	Aru               int32
	MyAru             int32
	HighestSeq        int32
	TokenHurry        int32
	TokenRounds       int32
	MyID              int32
	LeaderID          int32
	MessageDelivered  int32
	MembershipChanges int16
	NumProcs          int16 // daemons in the current membership
	NumSegments       int16
	Window            int16
	PersonalWindow    int16
	AcceleratedRing   int16 // 0 regular protocol, 1 accelerated
	AcceleratedWindow int16
	NumSessions       int16
	NumGroups         int16
	MajorVersion      int16
	MinorVersion      int16
	PatchVersion      int16
}

// field is one field of the record: its name in status.h, its size, and
// where it lives in a Status.
type field struct {
	name string
	i32  func(*Status) *int32
	i16  func(*Status) *int16
}

func (f field) size() int {
	if f.i32 != nil {
		return 4
	}
	return 2
}

// fields is the record's layout, in order.
var fields = []field{
	{name: "sec", i32: func(s *Status) *int32 { return &s.Sec }},
	{name: "state", i32: func(s *Status) *int32 { return &s.State }},
	{name: "gstate", i32: func(s *Status) *int32 { return &s.GState }},
	{name: "packet_sent", i32: func(s *Status) *int32 { return &s.PacketSent }},
	{name: "packet_recv", i32: func(s *Status) *int32 { return &s.PacketRecv }},
	{name: "packet_delivered", i32: func(s *Status) *int32 { return &s.PacketDelivered }},
	{name: "retrans", i32: func(s *Status) *int32 { return &s.Retrans }},
	{name: "u_retrans", i32: func(s *Status) *int32 { return &s.URetrans }},
	{name: "s_retrans", i32: func(s *Status) *int32 { return &s.SRetrans }},
	{name: "b_retrans", i32: func(s *Status) *int32 { return &s.BRetrans }},
	{name: "aru", i32: func(s *Status) *int32 { return &s.Aru }},
	{name: "my_aru", i32: func(s *Status) *int32 { return &s.MyAru }},
	{name: "highest_seq", i32: func(s *Status) *int32 { return &s.HighestSeq }},
	{name: "token_hurry", i32: func(s *Status) *int32 { return &s.TokenHurry }},
	{name: "token_rounds", i32: func(s *Status) *int32 { return &s.TokenRounds }},
	{name: "my_id", i32: func(s *Status) *int32 { return &s.MyID }},
	{name: "leader_id", i32: func(s *Status) *int32 { return &s.LeaderID }},
	{name: "message_delivered", i32: func(s *Status) *int32 { return &s.MessageDelivered }},
	{name: "membership_changes", i16: func(s *Status) *int16 { return &s.MembershipChanges }},
	{name: "num_procs", i16: func(s *Status) *int16 { return &s.NumProcs }},
	{name: "num_segments", i16: func(s *Status) *int16 { return &s.NumSegments }},
	{name: "window", i16: func(s *Status) *int16 { return &s.Window }},
	{name: "personal_window", i16: func(s *Status) *int16 { return &s.PersonalWindow }},
	{name: "accelerated_ring", i16: func(s *Status) *int16 { return &s.AcceleratedRing }},
	{name: "accelerated_window", i16: func(s *Status) *int16 { return &s.AcceleratedWindow }},
	{name: "num_sessions", i16: func(s *Status) *int16 { return &s.NumSessions }},
	{name: "num_groups", i16: func(s *Status) *int16 { return &s.NumGroups }},
	{name: "major_version", i16: func(s *Status) *int16 { return &s.MajorVersion }},
	{name: "minor_version", i16: func(s *Status) *int16 { return &s.MinorVersion }},
	{name: "patch_version", i16: func(s *Status) *int16 { return &s.PatchVersion }},
}

// FieldNames are the record's field names (status.h's), in order.
func FieldNames() []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = f.name
	}
	return out
}

// Field returns the named field's value, or false for an unknown name.
func (s *Status) Field(name string) (int64, bool) {
	for _, f := range fields {
		if f.name == name {
			if f.i32 != nil {
				return int64(*f.i32(s)), true
			}
			return int64(*f.i16(s)), true
		}
	}
	return 0, false
}

// AppendStatus appends the 96-byte record in order o.
func AppendStatus(dst []byte, s *Status, o ByteOrder) []byte {
	for _, f := range fields {
		if f.i32 != nil {
			dst = o.AppendUint32(dst, uint32(*f.i32(s)))
		} else {
			dst = o.AppendUint16(dst, uint16(*f.i16(s)))
		}
	}
	return dst
}

// Reply is a decoded status reply.
type Reply struct {
	Header Header
	// BigEndian reports the sender's byte order.
	BigEndian bool
	Status    Status
	// Known is how many of the record's fields the datagram held (all 30
	// of a 4.x daemon's); the rest of Status is zero.
	Known int
	// Extra is how many bytes followed the known record (a newer daemon's
	// fields), not decoded.
	Extra int
}

// Partial reports a record shorter than a 4.x daemon's.
func (r *Reply) Partial() bool { return r.Known < len(fields) }

// Problems lists what was unusual about the reply, for the user: a record
// of an unexpected size, a length that disagrees with the header.
func (r *Reply) Problems(size int) []string {
	var p []string
	if int(r.Header.DataLen) != size-HeaderSize {
		p = append(p, fmt.Sprintf("header says %d bytes of status, datagram has %d", r.Header.DataLen, size-HeaderSize))
	}
	if r.Partial() {
		p = append(p, fmt.Sprintf("status record of %d bytes: decoded %d of %d fields (up to %s)",
			size-HeaderSize, r.Known, len(fields), lastName(r.Known)))
	}
	if r.Extra > 0 {
		p = append(p, fmt.Sprintf("status record of %d bytes: %d bytes after the %d known ones not decoded", size-HeaderSize, r.Extra, StatusSize))
	}
	return p
}

func lastName(known int) string {
	if known == 0 {
		return "none"
	}
	return fields[known-1].name
}

// ErrNotStatus is wrapped by DecodeReply's error for a datagram that is not
// a status reply.
var ErrNotStatus = fmt.Errorf("monwire: not a status reply")

// DecodeReply decodes a daemon's status reply in its own byte order. A
// record shorter or longer than 96 bytes is decoded as far as it goes
// (Known, Extra): only a datagram without a whole header, or that is not of
// the status type, is an error.
func DecodeReply(b []byte) (Reply, error) {
	h, o, err := DecodeHeader(b)
	if err != nil {
		return Reply{}, err
	}
	if h.Type&StatusType == 0 || h.Type&(ControlType&^StatusType) != 0 {
		return Reply{}, fmt.Errorf("%w: type 0x%08x (%s)", ErrNotStatus, h.Type, Kind(h.Type))
	}
	r := Reply{Header: h, BigEndian: o == binary.BigEndian}
	body := b[HeaderSize:]
	off := 0
	for _, f := range fields {
		n := f.size()
		if off+n > len(body) {
			break
		}
		if f.i32 != nil {
			*f.i32(&r.Status) = int32(o.Uint32(body[off:]))
		} else {
			*f.i16(&r.Status) = int16(o.Uint16(body[off:]))
		}
		off += n
		r.Known++
	}
	if len(body) > StatusSize {
		r.Extra = len(body) - StatusSize
	}
	return r, nil
}

// StateName is the name of a membership state ("OP", "GATHER", ...).
func StateName(state int32) string {
	switch state {
	case 1:
		return "OP"
	case 2:
		return "SEG"
	case 3:
		return "REPRESENTED"
	case 4:
		return "GATHER"
	case 5:
		return "FORM"
	case 6:
		return "EVS"
	}
	return fmt.Sprintf("state %d", state)
}

// GStateName is the name of a groups state ("GOP", ...).
func GStateName(g int32) string {
	switch g {
	case 1:
		return "GOP"
	case 2:
		return "GTRANS"
	case 3:
		return "GGATHER"
	case 4:
		return "GGT"
	}
	return fmt.Sprintf("gstate %d", g)
}

// IPv4 formats an address as the protocol carries it (a.b.c.d from the
// high byte down).
func IPv4(id uint32) string {
	return fmt.Sprintf("%d.%d.%d.%d", id>>24, id>>16&0xff, id>>8&0xff, id&0xff)
}

// Version is the daemon's version as "4.4.0".
func (s *Status) Version() string {
	return fmt.Sprintf("%d.%d.%d", s.MajorVersion, s.MinorVersion, s.PatchVersion)
}

// String is a one-line summary for debugging.
func (s *Status) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s/%s up %ds procs %d segments %d sessions %d groups %d", StateName(s.State), GStateName(s.GState),
		s.Sec, s.NumProcs, s.NumSegments, s.NumSessions, s.NumGroups)
	return b.String()
}
