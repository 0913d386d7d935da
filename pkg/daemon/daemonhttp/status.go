package daemonhttp

import (
	"time"

	"github.com/spgo/spgo/pkg/daemon"
)

// StatusReport is the /status document.
type StatusReport struct {
	Version string       `json:"version"` // spgo's build, as spgo version reports it
	Time    time.Time    `json:"time"`    // when the snapshot was taken
	Nodes   []NodeStatus `json:"nodes"`   // one per daemon (node of a ring), in configuration order
}

// NodeStatus is one daemon in /status.
type NodeStatus struct {
	Name    string    `json:"name"`
	Up      bool      `json:"up"`
	Started time.Time `json:"started"` // when it started, or a ring node last restarted
	// UptimeSeconds is how long an up node has been up; absent (0) for a
	// down one, which has DownSeconds instead.
	UptimeSeconds float64 `json:"uptime_seconds,omitempty"`
	// DownSeconds is how long a crashed ring node has been down; absent
	// (0) while it is up.
	DownSeconds float64 `json:"down_seconds,omitempty"`
	// Frozen is true for a frozen ring node (spgo daemon ctl freeze): up,
	// but reading and writing nothing and out of the others' membership;
	// absent (false) otherwise.
	Frozen bool `json:"frozen,omitempty"`
	// FrozenSeconds is how long a frozen node has been frozen; absent (0)
	// otherwise.
	FrozenSeconds     float64           `json:"frozen_seconds,omitempty"`
	Daemons           []string          `json:"daemons"` // the daemons in this node's membership
	Sessions          []SessionStatus   `json:"sessions"`
	Groups            []GroupStatus     `json:"groups"`
	Queued            int               `json:"queued_messages"`
	SessionsAccepted  uint64            `json:"sessions_accepted"`
	SessionKills      uint64            `json:"session_kills"`
	SlowConsumerKills uint64            `json:"slow_consumer_kills"`
	Rejections        map[string]uint64 `json:"handshake_rejections"`
	Services          []ServiceStatus   `json:"services"`
}

// SessionStatus is one client session in /status.
type SessionStatus struct {
	Name       string   `json:"name"` // private group, #user#daemon
	Remote     string   `json:"remote"`
	Version    string   `json:"version"`
	Membership bool     `json:"membership"`
	Groups     []string `json:"groups"`
	Queued     int      `json:"queued_messages"`
	BytesIn    uint64   `json:"bytes_in"`
	BytesOut   uint64   `json:"bytes_out"`
}

// GroupStatus is one group in /status.
type GroupStatus struct {
	Name    string   `json:"name"`
	Members []string `json:"members"`
}

// ServiceStatus counts one service type's data messages in /status.
type ServiceStatus struct {
	Service     string `json:"service"` // unreliable, reliable, fifo, causal, agreed, safe
	MessagesIn  uint64 `json:"messages_in"`
	BytesIn     uint64 `json:"bytes_in"`
	MessagesOut uint64 `json:"messages_out"`
	BytesOut    uint64 `json:"bytes_out"`
}

// nodeStatus converts a daemon's snapshot.
func nodeStatus(st daemon.Status, now time.Time) NodeStatus {
	n := NodeStatus{
		Name: st.Name, Up: st.Up, Started: st.Started, Frozen: st.Frozen,
		Daemons: nonNil(st.Daemons), Sessions: []SessionStatus{}, Groups: []GroupStatus{},
		Queued: st.Queued, SessionsAccepted: st.Stats.Connects, SessionKills: st.Stats.Kills,
		SlowConsumerKills: st.SlowConsumerKills, Rejections: map[string]uint64{},
	}
	if st.Up {
		n.UptimeSeconds = now.Sub(st.Started).Seconds()
	} else {
		n.DownSeconds = now.Sub(st.DownSince).Seconds()
	}
	if st.Frozen {
		n.FrozenSeconds = now.Sub(st.FrozenSince).Seconds()
	}
	for _, r := range daemon.RejectionReasons() {
		n.Rejections[r] = st.Rejections[r]
	}
	for _, s := range st.Sessions {
		n.Sessions = append(n.Sessions, SessionStatus{
			Name: s.PrivateGroup, Remote: s.Remote, Version: s.Version, Membership: s.Membership,
			Groups: nonNil(s.Groups), Queued: s.Queued, BytesIn: s.BytesIn, BytesOut: s.BytesOut,
		})
	}
	for _, g := range st.Groups {
		n.Groups = append(n.Groups, GroupStatus{Name: g.Name, Members: nonNil(g.Members)})
	}
	for i, name := range daemon.ServiceNames() {
		c := st.Services[i]
		n.Services = append(n.Services, ServiceStatus{Service: name, MessagesIn: c.MessagesIn, BytesIn: c.BytesIn,
			MessagesOut: c.MessagesOut, BytesOut: c.BytesOut})
	}
	return n
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
