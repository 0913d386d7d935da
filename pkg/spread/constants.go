package spread

import (
	"strconv"
	"strings"
)

// ServiceType is Spread's 32-bit service type: the service bits a sender
// chooses (UnreliableMess ... SafeMess, SelfDiscard) and the bits the daemon
// sets on what it delivers (membership causes, RegMembMess, TransitionMess,
// RejectMess). The endian marker bits never appear in a ServiceType.
type ServiceType uint32

// Service types and message-type masks, with the values of Spread's C API
// (docs/protocol.md §2.1).
const (
	UnreliableMess ServiceType = 0x00000001 // UNRELIABLE_MESS
	ReliableMess   ServiceType = 0x00000002 // RELIABLE_MESS
	FIFOMess       ServiceType = 0x00000004 // FIFO_MESS
	CausalMess     ServiceType = 0x00000008 // CAUSAL_MESS
	AgreedMess     ServiceType = 0x00000010 // AGREED_MESS
	SafeMess       ServiceType = 0x00000020 // SAFE_MESS
	RegularMess    ServiceType = 0x0000003f // REGULAR_MESS: mask of the six above
	SelfDiscard    ServiceType = 0x00000040 // SELF_DISCARD: not delivered to the sender

	CausedByJoin       ServiceType = 0x00000100 // CAUSED_BY_JOIN
	CausedByLeave      ServiceType = 0x00000200 // CAUSED_BY_LEAVE (alone: self-leave)
	CausedByDisconnect ServiceType = 0x00000400 // CAUSED_BY_DISCONNECT
	CausedByNetwork    ServiceType = 0x00000800 // CAUSED_BY_NETWORK
	RegMembMess        ServiceType = 0x00001000 // REG_MEMB_MESS
	TransitionMess     ServiceType = 0x00002000 // TRANSITION_MESS
	MembershipMess     ServiceType = 0x00003f00 // MEMBERSHIP_MESS: mask

	Reserved       ServiceType = 0x003fc000 // RESERVED mask of Spread's C API
	RejectMess     ServiceType = 0x00400000 // REJECT_MESS: the daemon refused a request
	DropRecv       ServiceType = 0x01000000 // DROP_RECV: a libspread receive flag; meaningless here
	EndianReserved ServiceType = 0x80000080 // ENDIAN_RESERVED: the byte-order marker bits
)

// Priorities a client may ask for (the Python module's names). The 4.4
// daemon stores the priority and otherwise ignores it; the wire carries only
// "high or not" (docs/protocol.md §4.2).
const (
	LowPriority    = 0 // LOW_PRIORITY
	MediumPriority = 1 // MEDIUM_PRIORITY
	HighPriority   = 2 // HIGH_PRIORITY
)

// Limits (docs/protocol.md §2.3, §9), with their names in libspread's
// sp.h and the Python module. The values are internal/wire's, written out
// so that the documentation shows them; wirecheck.go fails the build if the
// two ever differ. The Python module's DEFAULT_BUFFER_SIZE and
// DEFAULT_GROUPS_SIZE have no counterpart: receive buffers grow to any
// message (WithReadBuffer sets only the first size).
const (
	// MaxGroupName is the size of a name field including its NUL: names
	// are at most MaxGroupName-1 = 31 bytes (MAX_GROUP_NAME).
	MaxGroupName = 32
	// MaxPrivateName is the longest private (user) name, in bytes
	// (MAX_PRIVATE_NAME).
	MaxPrivateName = 10
	// MaxProcName is the size of a daemon name including its NUL
	// (MAX_PROC_NAME).
	MaxProcName = 20
	// MaxMessageLen is the largest data length + 32*number of groups a real
	// 4.4.0 daemon delivers safely; Multicast refuses anything larger.
	MaxMessageLen = 143151
	// MaxGroups is the largest number of destination groups a real 4.4.0
	// daemon delivers (it silently drops messages to 44..100 groups); it is
	// the default limit of MulticastGroups (see WithGroupLimit).
	MaxGroups = 43
	// MaxGroupsPerMessage is the daemon's hard limit: above it the daemon
	// kills the session. WithGroupLimit accepts at most this.
	MaxGroupsPerMessage = 100
	// DefaultSpreadPort is the port of the default daemon ("4803")
	// (DEFAULT_SPREAD_PORT).
	DefaultSpreadPort = 4803
)

// Version of the Spread protocol this package speaks (4.4.0).
const (
	VersionMajor = 4
	VersionMinor = 4
	VersionPatch = 0
	// SpreadVersion is the C API's SPREAD_VERSION: (4<<24)|(4<<16)|0.
	SpreadVersion = VersionMajor<<24 | VersionMinor<<16 | VersionPatch
)

// Version returns the Spread version this package implements, as SP_version
// reports it.
func Version() (major, minor, patch int) { return VersionMajor, VersionMinor, VersionPatch }

var serviceNames = []struct {
	bit  ServiceType
	name string
}{
	{UnreliableMess, "UNRELIABLE_MESS"}, {ReliableMess, "RELIABLE_MESS"}, {FIFOMess, "FIFO_MESS"},
	{CausalMess, "CAUSAL_MESS"}, {AgreedMess, "AGREED_MESS"}, {SafeMess, "SAFE_MESS"},
	{SelfDiscard, "SELF_DISCARD"}, {CausedByJoin, "CAUSED_BY_JOIN"}, {CausedByLeave, "CAUSED_BY_LEAVE"},
	{CausedByDisconnect, "CAUSED_BY_DISCONNECT"}, {CausedByNetwork, "CAUSED_BY_NETWORK"},
	{RegMembMess, "REG_MEMB_MESS"}, {TransitionMess, "TRANSITION_MESS"}, {RejectMess, "REJECT_MESS"},
	{DropRecv, "DROP_RECV"},
}

// String names the set bits with Spread's names joined by '|', e.g.
// "AGREED_MESS|SELF_DISCARD"; unknown bits are shown in hex.
func (s ServiceType) String() string {
	if s == 0 {
		return "0"
	}
	var parts []string
	rest := s
	for _, n := range serviceNames {
		if s&n.bit != 0 {
			parts = append(parts, n.name)
			rest &^= n.bit
		}
	}
	if rest != 0 {
		parts = append(parts, "0x"+strconv.FormatUint(uint64(rest), 16))
	}
	return strings.Join(parts, "|")
}

// IsRegular reports a data message type as libspread does: a service bit and
// no REJECT_MESS.
func (s ServiceType) IsRegular() bool { return s&RegularMess != 0 && s&RejectMess == 0 }

// IsMembership reports a membership type (including transitional and
// self-leave) as libspread does.
func (s ServiceType) IsMembership() bool { return s&MembershipMess != 0 && s&RejectMess == 0 }

// IsReject reports a REJECT_MESS.
func (s ServiceType) IsReject() bool { return s&RejectMess != 0 }

// IsSelfLeave reports the message a session gets when it left a group.
func (s ServiceType) IsSelfLeave() bool {
	return s&CausedByLeave != 0 && s&(RegMembMess|TransitionMess) == 0
}

// IsTransition reports a transitional membership message.
func (s ServiceType) IsTransition() bool { return s&TransitionMess != 0 }

// IsRegMemb reports a regular membership message.
func (s ServiceType) IsRegMemb() bool { return s&RegMembMess != 0 }
