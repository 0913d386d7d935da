package tap

import (
	"strings"

	"github.com/spgo/spgo/internal/wire"
)

// message cuts one message frame (docs/protocol.md §5.1) into f, which it
// has cleared: the header, a reject's old type, the group names and the
// body. It returns the frame's length, 0 when b ends before the frame does.
// Lengths are checked against generous bounds before waiting for the rest,
// so a header whose lengths no daemon or client would accept is
// undecodable at once.
func message(s *stream, b []byte, f *Frame) int {
	if len(b) < wire.HeaderSize {
		return 0
	}
	h, err := wire.DecodeHeader(b)
	if err != nil {
		return setUndecodable(s, b, err.Error(), f)
	}
	rest, err := h.CheckLengths(wire.ClientReadLimits)
	if err != nil {
		return setUndecodable(s, b, err.Error(), f)
	}
	n := wire.HeaderSize + rest
	if len(b) < n {
		return 0
	}
	s.header = h
	f.Kind = messageKind(&h)
	return n
}

// setUndecodable is undecodable, into f.
func setUndecodable(s *stream, b []byte, why string, f *Frame) int {
	var n int
	*f, n = undecodable(s, b, why)
	return n
}

// messageKind names what a header starts: a reject first, then the client's
// requests, data, and the kinds of membership notice.
func messageKind(h *wire.Header) Kind {
	switch {
	case h.IsReject():
		return KindReject
	case h.IsRegular():
		return KindData
	case h.Type&wire.JoinMess != 0:
		return KindJoin
	case h.Type&wire.LeaveMess != 0:
		return KindLeave
	case h.Type&wire.KillMess != 0:
		return KindKill
	case h.Type&wire.TransitionMess != 0:
		return KindTransition
	case h.Type&wire.RegMembMess != 0:
		return KindMembership
	case h.IsSelfLeave():
		return KindSelfLeave
	}
	return KindOther
}

// isMessage reports the kinds message cuts.
func isMessage(k Kind) bool {
	switch k {
	case KindReject, KindData, KindJoin, KindLeave, KindKill, KindTransition, KindMembership, KindSelfLeave, KindOther:
		return true
	}
	return false
}

// fillMessage decodes the fields of a message frame from its bytes, which
// message has already checked to hold the whole frame, and whose header it
// kept in s. Names come from in; the group list is s's, reused: f is a view
// until cloned.
func fillMessage(f *Frame, s *stream, in *interner) {
	if !isMessage(f.Kind) {
		return
	}
	h := &s.header
	f.Type, f.BigEndian, f.Sender = h.Type, h.BigEndian, in.name(&h.Sender)
	p := f.Raw[wire.HeaderSize:]
	oldType := uint32(0)
	if h.IsReject() {
		oldType = h.ByteOrder().Uint32(p)
		p = p[wire.OldTypeSize:]
	}
	s.groups = s.groups[:0]
	for i := range int(h.NumGroups) {
		s.groups = append(s.groups, in.name((*wire.Name)(p[i*wire.MaxGroupName:])))
	}
	f.Groups = s.groups
	body := p[int(h.NumGroups)*wire.MaxGroupName:]
	service, messType, mismatch := h.Delivered(oldType)
	switch f.Kind {
	case KindData, KindReject:
		f.Service, f.MsgType, f.EndianMismatch = serviceName(service), messType, mismatch
		f.Data = body
	case KindMembership, KindTransition, KindSelfLeave:
		fillMembership(f, h, body, in)
	default:
		f.Service = serviceName(h.Type)
	}
}

// fillMembership decodes a membership notice: the group is the sender
// field, the members are the group names (docs/protocol.md §7.2 to §7.4).
func fillMembership(f *Frame, h *wire.Header, body []byte, in *interner) {
	f.Group, f.Members, f.Sender = f.Sender, f.Groups, ""
	f.Groups = nil
	f.Cause = cause(h.Type)
	switch f.Kind {
	case KindTransition:
		if g, err := wire.DecodeGroupID(body, h.ByteOrder()); err == nil {
			f.GroupID = &GroupID{g.ProcID, g.Time, g.Index}
		}
	case KindMembership:
		m, err := wire.DecodeMembershipBody(body, h.ByteOrder())
		if err != nil {
			f.Error = err.Error()
			return
		}
		f.GroupID = &GroupID{m.GroupID.ProcID, m.GroupID.Time, m.GroupID.Index}
		f.LocalVSSet = m.LocalVSSet
		f.VSSets = make([][]string, len(m.VSSets))
		for i, set := range m.VSSets {
			f.VSSets[i] = make([]string, len(set))
			for j := range set {
				f.VSSets[i][j] = in.name(&set[j])
			}
		}
	}
}

// cause names the CAUSED_BY bit of a membership notice.
func cause(t uint32) string {
	switch {
	case t&wire.CausedByJoin != 0:
		return "join"
	case t&wire.CausedByLeave != 0:
		return "leave"
	case t&wire.CausedByDisconnect != 0:
		return "disconnect"
	case t&wire.CausedByNetwork != 0:
		return "network"
	}
	return ""
}

// serviceBits names the bits of a type field, in Spread's order.
var serviceBits = []struct {
	bit  uint32
	name string
}{
	{wire.UnreliableMess, "UNRELIABLE"}, {wire.ReliableMess, "RELIABLE"}, {wire.FIFOMess, "FIFO"},
	{wire.CausalMess, "CAUSAL"}, {wire.AgreedMess, "AGREED"}, {wire.SafeMess, "SAFE"},
	{wire.SelfDiscard, "SELF_DISCARD"}, {wire.JoinMess, "JOIN"}, {wire.LeaveMess, "LEAVE"},
	{wire.KillMess, "KILL"}, {wire.GroupsMess, "GROUPS"}, {wire.RejectMess, "REJECT"},
	{wire.DropRecv, "DROP_RECV"},
}

// commonServiceNames are the names of every combination of the service
// bits and SELF_DISCARD, made once: they name almost every frame.
var commonServiceNames = func() (names [0x80]string) {
	for t := range names {
		names[t] = makeServiceName(uint32(t))
	}
	return names
}()

// serviceName writes a type field's bits by name, joined by '|', with any
// bits that have no name in hex.
func serviceName(t uint32) string {
	if t < uint32(len(commonServiceNames)) {
		return commonServiceNames[t]
	}
	return makeServiceName(t)
}

func makeServiceName(t uint32) string {
	var names []string
	for _, sb := range serviceBits {
		if t&sb.bit != 0 {
			names = append(names, sb.name)
			t &^= sb.bit
		}
	}
	if t&^wire.MembershipMess != 0 {
		names = append(names, "0x"+strings.ToUpper(hexUint(t&^wire.MembershipMess)))
	}
	return strings.Join(names, "|")
}
