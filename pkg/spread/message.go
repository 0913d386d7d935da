package spread

import (
	"fmt"
	"slices"
)

// Message is what Receive returns: a *RegularMessage, a *MembershipMessage
// or a *RejectMessage. Every field is owned by the caller.
type Message interface {
	// ServiceType returns the message's service type as libspread reports
	// it (marker bits removed).
	ServiceType() ServiceType
	isMessage()
}

// RegularMessage is a data message.
type RegularMessage struct {
	Service ServiceType // one service bit, possibly |SelfDiscard
	Sender  string      // the sender's private group name
	Groups  []string    // the groups it was sent to, as the sender listed them
	MsgType int16       // the sender's 16-bit message type (libspread's mess_type, Python's msg_type)
	// EndianMismatch is true when the original sender had the other byte
	// order (libspread's endian_mismatch); Data is never swapped.
	EndianMismatch bool
	Data           []byte // the message (Python's message)
}

// ServiceType implements Message.
func (m *RegularMessage) ServiceType() ServiceType { return m.Service }
func (*RegularMessage) isMessage()                 {}

// Cause says why a membership message was sent.
type Cause int

// Membership causes.
const (
	CauseJoin       Cause = iota + 1 // a member joined (CAUSED_BY_JOIN)
	CauseLeave                       // a member left (CAUSED_BY_LEAVE)
	CauseDisconnect                  // a member disconnected (CAUSED_BY_DISCONNECT)
	CauseNetwork                     // daemons partitioned or merged (CAUSED_BY_NETWORK)
	CauseTransition                  // transitional membership (TRANSITION_MESS)
	CauseSelfLeave                   // this mailbox left the group
)

func (c Cause) String() string {
	switch c {
	case CauseJoin:
		return "join"
	case CauseLeave:
		return "leave"
	case CauseDisconnect:
		return "disconnect"
	case CauseNetwork:
		return "network"
	case CauseTransition:
		return "transition"
	case CauseSelfLeave:
		return "self-leave"
	}
	return fmt.Sprintf("Cause(%d)", int(c))
}

// GroupID identifies one view of a group; equal ids mean the same view.
// It is comparable and can be a map key.
type GroupID struct {
	ProcID int32 // IPv4 address of the representative daemon, as an int
	Time   int32 // when the daemon membership formed (seconds)
	Index  int32 // grows with every change of the group
}

// String formats the id as libspread examples print it: "proc.time.index".
func (g GroupID) String() string { return fmt.Sprintf("%d.%d.%d", g.ProcID, g.Time, g.Index) }

// MembershipMessage reports a change of a group's membership.
type MembershipMessage struct {
	Service ServiceType // REG_MEMB_MESS|cause, TRANSITION_MESS or CAUSED_BY_LEAVE
	// Cause is why the message was sent (the Python module's reason, which
	// is 0 for a transitional message: CauseTransition here).
	Cause Cause
	Group string
	// GroupID is the new view's id (for CauseTransition: the old view's);
	// zero for CauseSelfLeave.
	GroupID GroupID
	// Members are the private group names of all members after the
	// change, in the daemon's order; empty for transition and self-leave.
	Members []string
	// Changed are the members that joined, left or disconnected; empty for
	// network, transition and self-leave messages (see VSSets). It is the
	// Python module's extra and libspread's changed_member.
	Changed []string
	// VSSets are the virtual-synchrony sets: members that come together
	// from the same previous view. Join/leave/disconnect messages carry one
	// set holding the changed member.
	VSSets [][]string
	// LocalVSSet is the index in VSSets of the set holding this daemon's
	// members, -1 when there are no sets.
	LocalVSSet int
}

// ServiceType implements Message.
func (m *MembershipMessage) ServiceType() ServiceType { return m.Service }
func (*MembershipMessage) isMessage()                 {}

// IndexOf returns the position of member in Members, or -1 (libspread
// reports the receiver's own position as mess_type).
func (m *MembershipMessage) IndexOf(member string) int { return slices.Index(m.Members, member) }

// RejectMessage is a request the daemon refused (REJECT_MESS), returned
// with its original content.
type RejectMessage struct {
	// Service is OldType|RejectMess, as libspread reports it.
	Service ServiceType
	// OldType is the refused request's type: a data service type, or
	// CausedByJoin / CausedByLeave for a refused join or leave.
	OldType ServiceType
	Sender  string   // the requester (this mailbox)
	Groups  []string // the request's groups followed by the requester's private group
	MsgType int16
	// EndianMismatch as for RegularMessage.
	EndianMismatch bool
	Data           []byte
}

// ServiceType implements Message.
func (m *RejectMessage) ServiceType() ServiceType { return m.Service }
func (*RejectMessage) isMessage()                 {}
