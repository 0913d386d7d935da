package wire

import "fmt"

// Service-type and message-type bits of the 32-bit type field (docs/protocol.md §2.1).
const (
	UnreliableMess uint32 = 0x00000001
	ReliableMess   uint32 = 0x00000002
	FIFOMess       uint32 = 0x00000004
	CausalMess     uint32 = 0x00000008
	AgreedMess     uint32 = 0x00000010
	SafeMess       uint32 = 0x00000020
	RegularMess    uint32 = 0x0000003f
	SelfDiscard    uint32 = 0x00000040

	CausedByJoin       uint32 = 0x00000100
	CausedByLeave      uint32 = 0x00000200
	CausedByDisconnect uint32 = 0x00000400
	CausedByNetwork    uint32 = 0x00000800
	RegMembMess        uint32 = 0x00001000
	TransitionMess     uint32 = 0x00002000
	MembershipMess     uint32 = 0x00003f00

	JoinMess   uint32 = 0x00010000
	LeaveMess  uint32 = 0x00020000
	KillMess   uint32 = 0x00040000
	GroupsMess uint32 = 0x00080000
	Reserved   uint32 = 0x003fc000
	RejectMess uint32 = 0x00400000
	DropRecv   uint32 = 0x01000000

	// EndianMarker is ENDIAN_RESERVED: both bits set in a little-endian
	// writer's type and hint fields, both clear in a big-endian writer's.
	EndianMarker uint32 = 0x80000080
)

// Sizes and limits (docs/protocol.md §2.3, §9).
const (
	MaxGroupName   = 32 // bytes per name field, NUL included
	MaxPrivateName = 10 // characters of a private (user) name
	MaxProcName    = 20 // daemon name bytes, NUL included
	HeaderSize     = 48
	OldTypeSize    = 4 // extra field after the header of a REJECT_MESS
	AuthChoiceSize = 90
	AuthSlotSize   = 30
	AuthSlots      = 3

	MaxGroupsPerMessage = 100    // the daemon kills a session above this
	MaxMessageBodyLen   = 144000 // libspread's limit on data + 32*groups
	// SafeMessageLimit is the largest data+32*groups that a real 4.4.0
	// daemon delivers without crashing or killing the session (docs/protocol.md §9.1).
	SafeMessageLimit = 143151
	// HeaderCheckLimit is the real daemon's header check on data+32*groups.
	HeaderCheckLimit = 143952
	// RealDaemonGroupLimit is the largest group count a real 4.4.0 daemon
	// delivers correctly (44..100 names are silently dropped, docs/protocol.md §9.2).
	RealDaemonGroupLimit = 43

	MaxSessions              = 997
	DefaultMaxSessionMessage = 1000
	DefaultSpreadPort        = 4803
)

// Version spoken by spgo, on the wire as three bytes (docs/protocol.md §2.4).
const (
	VersionMajor = 4
	VersionMinor = 4
	VersionPatch = 0
)

// Handshake result bytes (docs/protocol.md §2.2): the signed codes as they travel.
const (
	AcceptSession     = 1
	RejectQuota       = -3
	RejectNoName      = -4
	RejectIllegalName = -5
	RejectNotUnique   = -6
	RejectVersion     = -7
	RejectAuth        = -9
)

// HandshakeCodeName is Spread's C API name of a handshake result byte
// (docs/protocol.md §2.2), or its hex value for a byte that is none of them.
func HandshakeCodeName(b byte) string {
	switch int8(b) {
	case AcceptSession:
		return "ACCEPT_SESSION"
	case RejectQuota:
		return "REJECT_QUOTA"
	case RejectNoName:
		return "REJECT_NO_NAME"
	case RejectIllegalName:
		return "REJECT_ILLEGAL_NAME"
	case RejectNotUnique:
		return "REJECT_NOT_UNIQUE"
	case RejectVersion:
		return "REJECT_VERSION"
	case RejectAuth:
		return "REJECT_AUTH"
	}
	return fmt.Sprintf("0x%02x", b)
}
