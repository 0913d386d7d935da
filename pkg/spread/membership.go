package spread

import (
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/spgo/spgo/internal/wire"
)

// decodeMessage turns one frame's parts into an owned Message. h is the
// decoded header, oldType the REJECT_MESS old_type (marker removed), groups
// the raw 32-byte name fields and body the data. Membership bodies are read
// in the header's byte order (docs/protocol.md §5.2).
func decodeMessage(h *wire.Header, oldType uint32, groups, body []byte) (Message, error) {
	svc, mt, mis := h.Delivered(oldType)
	switch h.Kind() {
	case wire.KindReject:
		return &RejectMessage{
			Service:        ServiceType(svc),
			OldType:        ServiceType(svc) &^ RejectMess,
			Sender:         h.Sender.String(),
			Groups:         nameList(groups),
			MsgType:        mt,
			EndianMismatch: mis,
			Data:           clone(body),
		}, nil
	case wire.KindRegular:
		return &RegularMessage{
			Service:        ServiceType(svc),
			Sender:         h.Sender.String(),
			Groups:         nameList(groups),
			MsgType:        mt,
			EndianMismatch: mis,
			Data:           clone(body),
		}, nil
	case wire.KindMembership:
		return decodeMembership(h, groups, body)
	}
	return nil, fmt.Errorf("service type 0x%08x is neither data, membership nor reject", h.Type)
}

func decodeMembership(h *wire.Header, groups, body []byte) (*MembershipMessage, error) {
	typ := ServiceType(h.Type)
	m := &MembershipMessage{Service: typ, Group: h.Sender.String(), LocalVSSet: -1}
	order := h.ByteOrder()
	switch {
	case typ.IsRegMemb():
		c, err := regMembCause(typ)
		if err != nil {
			return nil, err
		}
		m.Cause = c
		return m, fillRegMemb(m, order, groups, body)
	case typ.IsTransition():
		m.Cause = CauseTransition
		gid, err := wire.DecodeGroupID(body, order)
		if err != nil {
			return nil, err
		}
		m.GroupID = GroupID(gid)
		return m, nil
	case typ.IsSelfLeave():
		m.Cause = CauseSelfLeave
		return m, nil
	}
	return nil, fmt.Errorf("membership type %s has no REG_MEMB_MESS, TRANSITION_MESS or self-leave form", typ)
}

func regMembCause(t ServiceType) (Cause, error) {
	switch t & (CausedByJoin | CausedByLeave | CausedByDisconnect | CausedByNetwork) {
	case CausedByJoin:
		return CauseJoin, nil
	case CausedByLeave:
		return CauseLeave, nil
	case CausedByDisconnect:
		return CauseDisconnect, nil
	case CausedByNetwork:
		return CauseNetwork, nil
	}
	return 0, fmt.Errorf("membership type %s does not carry exactly one cause", t)
}

func fillRegMemb(m *MembershipMessage, order binary.ByteOrder, groups, body []byte) error {
	mb, err := wire.DecodeMembershipBody(body, order)
	if err != nil {
		return err
	}
	m.GroupID = GroupID(mb.GroupID)
	m.Members = nameList(groups)
	m.VSSets = make([][]string, len(mb.VSSets))
	for i, set := range mb.VSSets {
		s := make([]string, len(set))
		for j := range set {
			s[j] = set[j].String()
		}
		m.VSSets[i] = s
	}
	m.LocalVSSet = mb.LocalVSSet
	if m.Cause != CauseNetwork && len(m.VSSets) > 0 {
		m.Changed = m.VSSets[0]
	}
	return nil
}

// nameList turns raw 32-byte name fields into strings, each cut at its
// first NUL. All names share one backing string: two allocations in all.
func nameList(raw []byte) []string {
	n := len(raw) / MaxGroupName
	if n == 0 {
		return nil
	}
	var sb strings.Builder
	sb.Grow(len(raw))
	ends := make([]int, n)
	for i := 0; i < n; i++ {
		f := wire.Name(raw[i*MaxGroupName : (i+1)*MaxGroupName])
		sb.Write(f.Bytes())
		ends[i] = sb.Len()
	}
	all := sb.String()
	out := make([]string, n)
	start := 0
	for i, e := range ends {
		out[i] = all[start:e]
		start = e
	}
	return out
}

func clone(b []byte) []byte {
	out := make([]byte, len(b))
	copy(out, b)
	return out
}
