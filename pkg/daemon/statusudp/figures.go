package statusudp

import (
	"net"
	"net/netip"
	"time"

	"github.com/spgo/spgo/internal/monwire"
	"github.com/spgo/spgo/pkg/daemon"
)

// figures is node's status record: what spgo knows in the record's terms
// (state 0 and no membership while the node is down).
// The embedded daemon has no token ring, so the token, retransmission and
// window fields are 0; packets are data messages: sent are those of this
// node's clients, received those of the other nodes' clients in its
// membership, delivered both.
func figures(node *daemon.Daemon, ring []*daemon.Daemon, now time.Time) monwire.Status {
	major, minor, patch := daemon.ProtocolVersion()
	st := node.Status()
	s := monwire.Status{
		Sec: int32(now.Sub(st.Started) / time.Second), MyID: int32(nodeID(node)),
		MajorVersion: int16(major), MinorVersion: int16(minor), PatchVersion: int16(patch),
	}
	if !st.Up || st.Frozen { // a stopped daemon answers nothing either
		return s
	}
	s.State, s.GState = 1, 1 // OP, GOP: the embedded daemon is never between memberships
	s.MembershipChanges = 1
	s.NumProcs, s.NumSegments = int16(len(st.Daemons)), 1
	s.NumSessions, s.NumGroups = int16(min(st.Stats.Sessions, 1<<15-1)), int16(min(len(st.Groups), 1<<15-1))
	for _, c := range st.Services {
		s.PacketSent += int32(c.MessagesIn)
		s.MessageDelivered += int32(c.MessagesOut)
	}
	byName := map[string]*daemon.Daemon{}
	for _, d := range ring {
		byName[d.Name()] = d
	}
	for i, name := range st.Daemons {
		d := byName[name]
		if d == nil {
			continue
		}
		if i == 0 {
			s.LeaderID = int32(nodeID(d))
		}
		if d == node {
			continue
		}
		for _, c := range d.Status().Services {
			s.PacketRecv += int32(c.MessagesIn)
		}
	}
	s.PacketDelivered = s.PacketSent + s.PacketRecv
	s.Aru, s.MyAru, s.HighestSeq = s.PacketDelivered, s.PacketDelivered, s.PacketDelivered
	return s
}

// nodeID is a node's address as the protocol carries it: its TCP
// listener's IPv4 address (127.0.0.K for node K of a ring), 127.0.0.1 for
// a daemon without TCP or on every interface.
func nodeID(d *daemon.Daemon) uint32 {
	a := netip.MustParseAddr("127.0.0.1")
	if ta, ok := d.TCPAddr().(*net.TCPAddr); ok && ta != nil {
		if ip, ok := netip.AddrFromSlice(ta.IP.To4()); ok && !ip.IsUnspecified() {
			a = ip
		}
	}
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}
