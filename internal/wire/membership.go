package wire

import "encoding/binary"

// GroupID identifies one view of a group (docs/protocol.md §7.2): the daemon membership id
// (representative daemon's IPv4 address and the time it formed) and an index
// that grows with every change. It is comparable.
type GroupID struct {
	ProcID int32
	Time   int32
	Index  int32
}

const groupIDSize = 12

// DecodeGroupID reads a group id in the given byte order.
func DecodeGroupID(b []byte, order binary.ByteOrder) (GroupID, error) {
	if len(b) < groupIDSize {
		return GroupID{}, short("group id", groupIDSize, len(b))
	}
	return GroupID{
		ProcID: int32(order.Uint32(b[0:])),
		Time:   int32(order.Uint32(b[4:])),
		Index:  int32(order.Uint32(b[8:])),
	}, nil
}

// AppendGroupID appends g little-endian.
func AppendGroupID(dst []byte, g GroupID) []byte {
	le := binary.LittleEndian
	dst = le.AppendUint32(dst, uint32(g.ProcID))
	dst = le.AppendUint32(dst, uint32(g.Time))
	return le.AppendUint32(dst, uint32(g.Index))
}

// MembershipBody is the body of a REG_MEMB_MESS (docs/protocol.md §7.2).
type MembershipBody struct {
	GroupID GroupID
	// VSSets lists the virtual-synchrony sets in wire order.
	VSSets [][]Name
	// LocalVSSet is the index in VSSets of the set holding the receiving
	// daemon's members (derived from local_vs_set_offset).
	LocalVSSet int
}

// DecodeMembershipBody decodes a REG_MEMB_MESS body written in order. Every
// count is checked against the bytes present before anything is allocated;
// the local set offset must point at the start of one of the sets.
func DecodeMembershipBody(b []byte, order binary.ByteOrder) (MembershipBody, error) {
	var m MembershipBody
	const fixed = 20
	if len(b) < fixed {
		return m, short("membership body", fixed, len(b))
	}
	m.GroupID, _ = DecodeGroupID(b, order)
	numSets := order.Uint32(b[12:])
	localOff := order.Uint32(b[16:])
	// Each set needs at least its 4-byte count.
	if uint64(numSets)*4 > uint64(len(b)-fixed) {
		return m, &FrameError{Frame: "membership body", Field: "num_vs_sets", Value: int64(numSets), Limit: int64((len(b) - fixed) / 4)}
	}
	m.VSSets = make([][]Name, 0, numSets)
	m.LocalVSSet = -1
	p := b[fixed:]
	off := uint32(0)
	for i := uint32(0); i < numSets; i++ {
		if len(p) < 4 {
			return m, short("membership vs set", 4, len(p))
		}
		if off == localOff {
			m.LocalVSSet = int(i)
		}
		count := order.Uint32(p)
		p = p[4:]
		if uint64(count)*MaxGroupName > uint64(len(p)) {
			return m, &FrameError{Frame: "membership vs set", Field: "count", Value: int64(count), Limit: int64(len(p) / MaxGroupName)}
		}
		set := make([]Name, count)
		for j := range set {
			copy(set[j][:], p[j*MaxGroupName:])
		}
		p = p[count*MaxGroupName:]
		off += 4 + count*MaxGroupName
		m.VSSets = append(m.VSSets, set)
	}
	if numSets > 0 && m.LocalVSSet < 0 {
		return m, &FrameError{Frame: "membership body", Field: "local_vs_set_offset", Value: int64(localOff), Msg: "does not start a vs set"}
	}
	return m, nil
}

// AppendMembershipBody appends a REG_MEMB_MESS body little-endian (docs/protocol.md §7.2):
// the group id, the number of vs sets, the offset of set localSet, then
// each set as its count and its names. A set is given as its raw 32-byte
// name fields back to back, so a caller holding Name values passes n[:]
// without building anything.
func AppendMembershipBody(dst []byte, gid GroupID, localSet int, sets ...[]byte) []byte {
	le := binary.LittleEndian
	dst = AppendGroupID(dst, gid)
	dst = le.AppendUint32(dst, uint32(len(sets)))
	localOff := 0
	for i := 0; i < localSet && i < len(sets); i++ {
		localOff += 4 + len(sets[i])
	}
	dst = le.AppendUint32(dst, uint32(localOff))
	for _, set := range sets {
		dst = le.AppendUint32(dst, uint32(len(set)/MaxGroupName))
		dst = append(dst, set...)
	}
	return dst
}

// MembershipBodyLen is the body length of a membership message whose vs sets
// have the given sizes: 20 + sum(4 + 32*count).
func MembershipBodyLen(setSizes ...int) int {
	n := 20
	for _, c := range setSizes {
		n += 4 + MaxGroupName*c
	}
	return n
}
