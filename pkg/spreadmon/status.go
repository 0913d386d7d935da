package spreadmon

import (
	"net/netip"

	"github.com/spgo/spgo/internal/monwire"
)

// Status is a daemon's status record (docs/protocol.md §17.3), as Spread
// 4.x's monitor protocol carries it: its membership and token counters,
// windows, sessions, groups and version. The fields are those of Spread's
// status.h, in its order and of its sizes (Field and FieldNames use
// status.h's names); counters are the daemon's since it started and wrap
// around as int32. Daemon ids (MyID, LeaderID) are IPv4 addresses as
// numbers: AddrOf turns them into addresses.
//
// spgo daemon has no token ring: it reports packets as data messages and
// leaves the token, retransmission and window counters 0.
type Status struct {
	Sec               int32 // sec: seconds since the daemon started
	State             int32 // state: membership state, 1 OP, 2 SEG, 3 REPRESENTED, 4 GATHER, 5 FORM, 6 EVS (StateName)
	GState            int32 // gstate: groups state, 1 GOP, 2 GTRANS, 3 GGATHER, 4 GGT (GStateName)
	PacketSent        int32 // packet_sent: packets this daemon sent
	PacketRecv        int32 // packet_recv: packets it received from the other daemons
	PacketDelivered   int32 // packet_delivered: packets it delivered
	Retrans           int32 // retrans: packets it retransmitted, of all kinds
	URetrans          int32 // u_retrans: of those, sent by unicast
	SRetrans          int32 // s_retrans: of those, sent to its segment
	BRetrans          int32 // b_retrans: of those, broadcast
	Aru               int32 // aru: the all-received-up-to sequence the token carries
	MyAru             int32 // my_aru: this daemon's all-received-up-to sequence
	HighestSeq        int32 // highest_seq: the highest sequence it has seen
	TokenHurry        int32 // token_hurry: times it hurried a late token
	TokenRounds       int32 // token_rounds: rounds of the token
	MyID              int32 // my_id: this daemon's address
	LeaderID          int32 // leader_id: the membership leader's address
	MessageDelivered  int32 // message_delivered: messages delivered to its clients
	MembershipChanges int16 // membership_changes: memberships installed since start
	NumProcs          int16 // num_procs: daemons in the current membership
	NumSegments       int16 // num_segments: segments in the current membership
	Window            int16 // window: the ring's flow-control window
	PersonalWindow    int16 // personal_window: this daemon's share of the window
	AcceleratedRing   int16 // accelerated_ring: 0 regular protocol, 1 accelerated
	AcceleratedWindow int16 // accelerated_window: packets sent ahead of the token
	NumSessions       int16 // num_sessions: client sessions
	NumGroups         int16 // num_groups: groups with members
	MajorVersion      int16 // major_version: the daemon's version, 4 of 4.4.0
	MinorVersion      int16 // minor_version: 4 of 4.4.0
	PatchVersion      int16 // patch_version: 0 of 4.4.0
}

// The record is decoded by monwire; converting between the two types
// checks at compile time that they have the same fields in the same order.
var _ = Status(monwire.Status{})

func (s *Status) wire() *monwire.Status { return (*monwire.Status)(s) }

// Field returns the field named as in status.h ("num_procs"), or false for
// an unknown name.
func (s *Status) Field(name string) (int64, bool) { return s.wire().Field(name) }

// Version is the daemon's version as "4.4.0".
func (s *Status) Version() string { return s.wire().Version() }

// String is a one-line summary: states, uptime, daemons, segments,
// sessions and groups.
func (s *Status) String() string { return s.wire().String() }

// Leader is the address of the membership's leader.
func (s *Status) Leader() netip.Addr { return AddrOf(s.LeaderID) }

// FieldNames are the record's field names as in status.h, in order.
func FieldNames() []string { return monwire.FieldNames() }

// StateName names a membership state (Status.State): "OP", "GATHER", ...;
// "state N" for a number Spread does not use.
func StateName(s int32) string { return monwire.StateName(s) }

// GStateName names a groups state (Status.GState): "GOP", "GTRANS", ...;
// "gstate N" for a number Spread does not use.
func GStateName(s int32) string { return monwire.GStateName(s) }

// AddrOf is a daemon id (Status.MyID, Status.LeaderID) as an IPv4 address.
func AddrOf(id int32) netip.Addr {
	u := uint32(id)
	return netip.AddrFrom4([4]byte{byte(u >> 24), byte(u >> 16), byte(u >> 8), byte(u)})
}

// AddrString formats a daemon id (Status.MyID, Status.LeaderID) as an
// IPv4 address, "a.b.c.d".
func AddrString(id int32) string { return monwire.IPv4(uint32(id)) }
