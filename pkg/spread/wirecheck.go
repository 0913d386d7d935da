package spread

import "github.com/spgo/spgo/internal/wire"

// The exported vocabulary spells its values out so that go doc shows them;
// internal/wire holds the one definition both sides of the connection use.
// Each line below only compiles when the two values are equal: a difference
// in either direction is a negative constant, which overflows uint64.
const (
	_ = uint64(MaxGroupName-wire.MaxGroupName) + uint64(wire.MaxGroupName-MaxGroupName)
	_ = uint64(MaxPrivateName-wire.MaxPrivateName) + uint64(wire.MaxPrivateName-MaxPrivateName)
	_ = uint64(MaxProcName-wire.MaxProcName) + uint64(wire.MaxProcName-MaxProcName)
	_ = uint64(MaxMessageLen-wire.SafeMessageLimit) + uint64(wire.SafeMessageLimit-MaxMessageLen)
	_ = uint64(MaxGroups-wire.RealDaemonGroupLimit) + uint64(wire.RealDaemonGroupLimit-MaxGroups)
	_ = uint64(MaxGroupsPerMessage-wire.MaxGroupsPerMessage) + uint64(wire.MaxGroupsPerMessage-MaxGroupsPerMessage)
	_ = uint64(DefaultSpreadPort-wire.DefaultSpreadPort) + uint64(wire.DefaultSpreadPort-DefaultSpreadPort)
	_ = uint64(VersionMajor-wire.VersionMajor) + uint64(wire.VersionMajor-VersionMajor)
	_ = uint64(VersionMinor-wire.VersionMinor) + uint64(wire.VersionMinor-VersionMinor)
	_ = uint64(VersionPatch-wire.VersionPatch) + uint64(wire.VersionPatch-VersionPatch)

	_ = uint64(AcceptSession-wire.AcceptSession) + uint64(wire.AcceptSession-AcceptSession)
	_ = uint64(RejectQuota-wire.RejectQuota) + uint64(wire.RejectQuota-RejectQuota)
	_ = uint64(RejectNoName-wire.RejectNoName) + uint64(wire.RejectNoName-RejectNoName)
	_ = uint64(RejectIllegalName-wire.RejectIllegalName) + uint64(wire.RejectIllegalName-RejectIllegalName)
	_ = uint64(RejectNotUnique-wire.RejectNotUnique) + uint64(wire.RejectNotUnique-RejectNotUnique)
	_ = uint64(RejectVersion-wire.RejectVersion) + uint64(wire.RejectVersion-RejectVersion)
	_ = uint64(RejectAuth-wire.RejectAuth) + uint64(wire.RejectAuth-RejectAuth)
)

// Service bits: the same check on uint32, where a negative difference
// overflows.
const (
	_ = uint32(UnreliableMess) - wire.UnreliableMess + (wire.UnreliableMess - uint32(UnreliableMess))
	_ = uint32(ReliableMess) - wire.ReliableMess + (wire.ReliableMess - uint32(ReliableMess))
	_ = uint32(FIFOMess) - wire.FIFOMess + (wire.FIFOMess - uint32(FIFOMess))
	_ = uint32(CausalMess) - wire.CausalMess + (wire.CausalMess - uint32(CausalMess))
	_ = uint32(AgreedMess) - wire.AgreedMess + (wire.AgreedMess - uint32(AgreedMess))
	_ = uint32(SafeMess) - wire.SafeMess + (wire.SafeMess - uint32(SafeMess))
	_ = uint32(RegularMess) - wire.RegularMess + (wire.RegularMess - uint32(RegularMess))
	_ = uint32(SelfDiscard) - wire.SelfDiscard + (wire.SelfDiscard - uint32(SelfDiscard))
	_ = uint32(CausedByJoin) - wire.CausedByJoin + (wire.CausedByJoin - uint32(CausedByJoin))
	_ = uint32(CausedByLeave) - wire.CausedByLeave + (wire.CausedByLeave - uint32(CausedByLeave))
	_ = uint32(CausedByDisconnect) - wire.CausedByDisconnect + (wire.CausedByDisconnect - uint32(CausedByDisconnect))
	_ = uint32(CausedByNetwork) - wire.CausedByNetwork + (wire.CausedByNetwork - uint32(CausedByNetwork))
	_ = uint32(RegMembMess) - wire.RegMembMess + (wire.RegMembMess - uint32(RegMembMess))
	_ = uint32(TransitionMess) - wire.TransitionMess + (wire.TransitionMess - uint32(TransitionMess))
	_ = uint32(MembershipMess) - wire.MembershipMess + (wire.MembershipMess - uint32(MembershipMess))
	_ = uint32(Reserved) - wire.Reserved + (wire.Reserved - uint32(Reserved))
	_ = uint32(RejectMess) - wire.RejectMess + (wire.RejectMess - uint32(RejectMess))
	_ = uint32(DropRecv) - wire.DropRecv + (wire.DropRecv - uint32(DropRecv))
	_ = uint32(EndianReserved) - wire.EndianMarker + (wire.EndianMarker - uint32(EndianReserved))
)
