package daemon

import (
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/spgo/spgo/internal/wire"
)

// TestStatusCounts: Status counts data by service on the sending and the
// receiving node, per-session bytes and groups, and rejections by reason.
func TestStatusCounts(t *testing.T) {
	d := startTest(t, func(c *Config) { c.MaxSessions = 3 })
	a := connect(t, d, "a", true)
	b := connect(t, d, "b", false)
	a.join("g")
	a.expectMembership(wire.CausedByJoin, "g", "#a#"+d.Name())
	b.join("g")
	a.expectMembership(wire.CausedByJoin, "g", "#a#"+d.Name(), "#b#"+d.Name())

	b.send(wire.AgreedMess, []string{"g"}, 1, []byte("hello")) // to a and b
	b.send(wire.SafeMess, []string{"g"}, 1, []byte("x"))
	b.send(wire.ReliableMess|wire.SelfDiscard, []string{"g"}, 1, nil) // to a only
	a.expectData([]byte("hello"))
	a.expectData([]byte("x"))
	a.expectData(nil)
	b.expectData([]byte("hello"))
	b.expectData([]byte("x"))

	if _, err := tryHandshake(dial(t, d), "a", true); err == nil { // a is taken
		t.Fatal("duplicate name accepted")
	}
	// The refused session holds a slot until the daemon has let it go.
	waitStats(t, d, func(s Stats) bool { return s.Rejected == 1 && s.Handshakes == 0 })
	connect(t, d, "c", true)
	over := dial(t, d)
	buf := make([]byte, 1)
	if _, err := readFull(over, buf); err != nil || buf[0] != codeQuota {
		t.Fatalf("over quota: %x %v", buf, err)
	}
	waitStats(t, d, func(s Stats) bool { return s.Rejected == 2 && s.Handshakes == 0 })

	// A writer accounts for a frame after its write returns, which can be
	// after the client has read it.
	waitWritten(t, d)
	st := d.Status()
	frame := func(n int) uint64 { return uint64(wire.HeaderSize + wire.MaxGroupName + n) }
	want := [NumServices]ServiceStats{
		1: {MessagesIn: 1, BytesIn: frame(0), MessagesOut: 1, BytesOut: frame(0)},
		4: {MessagesIn: 1, BytesIn: frame(5), MessagesOut: 2, BytesOut: 2 * frame(5)},
		5: {MessagesIn: 1, BytesIn: frame(1), MessagesOut: 2, BytesOut: 2 * frame(1)},
	}
	if st.Services != want {
		t.Errorf("services\n got %+v\nwant %+v", st.Services, want)
	}
	if fmt.Sprint(st.Rejections) != "map[REJECT_NOT_UNIQUE:1 REJECT_QUOTA:1]" {
		t.Errorf("rejections %v", st.Rejections)
	}
	if !st.Up || st.Name != d.Name() || fmt.Sprint(st.Daemons) != "["+d.Name()+"]" || st.Started.IsZero() {
		t.Errorf("status %+v", st)
	}
	if len(st.Groups) != 1 || st.Groups[0].Name != "g" || fmt.Sprint(st.Groups[0].Members) != fmt.Sprintf("[#a#%s #b#%s]", d.Name(), d.Name()) {
		t.Errorf("groups %+v", st.Groups)
	}
	if len(st.Sessions) != 3 {
		t.Fatalf("sessions %+v", st.Sessions)
	}
	sa, sb, sc := st.Sessions[0], st.Sessions[1], st.Sessions[2]
	if sa.PrivateGroup != "#a#"+d.Name() || fmt.Sprint(sa.Groups) != "[g]" || !sa.Membership || sc.PrivateGroup != "#c#"+d.Name() || len(sc.Groups) != 0 {
		t.Errorf("sessions %+v", st.Sessions)
	}
	if _, _, err := net.SplitHostPort(sa.Remote); err != nil || sa.Version != "4.4.0" {
		t.Errorf("session a %+v", sa)
	}
	// b sent one join and three messages; a received two memberships and three messages.
	joinFrame := uint64(wire.HeaderSize + wire.MaxGroupName)
	if sb.BytesIn < joinFrame+frame(5)+frame(1)+frame(0) {
		t.Errorf("b bytes in %d", sb.BytesIn)
	}
	if sa.BytesOut < 2*frame(5)+frame(1)+frame(0) || sa.Queued != 0 || st.Queued != 0 {
		t.Errorf("a bytes out %d queued %d/%d", sa.BytesOut, sa.Queued, st.Queued)
	}
}

// TestStatusSlowConsumerKill: a session cut off for a full queue counts as
// a slow-consumer kill.
func TestStatusSlowConsumerKill(t *testing.T) {
	d := startTest(t, func(c *Config) { c.MaxSessionMessages = 4 })
	slow := connect(t, d, "slow", false)
	slow.join("g")
	fast := connect(t, d, "fast", false)
	waitMembers(t, d, "g", 1)
	for i := 0; i < 2000 && d.Status().SlowConsumerKills == 0; i++ {
		fast.send(wire.AgreedMess, []string{"g"}, 1, make([]byte, 100000))
	}
	if st := d.Status(); st.SlowConsumerKills != 1 || st.Stats.Kills != 1 {
		t.Fatalf("slow-consumer kills %d, kills %d", st.SlowConsumerKills, st.Stats.Kills)
	}
}

// TestStatusDownSince: a crashed ring node's Status says since when it is
// down; a restart makes it up again, with its uptime counted from the
// restart.
func TestStatusDownSince(t *testing.T) {
	r, err := StartRing(RingConfig{Nodes: 2, Node: Config{SocketDir: t.TempDir()}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	d2 := r.Node("d2")
	if st := d2.Status(); !st.Up || !st.DownSince.IsZero() {
		t.Fatalf("running node: up %v, down since %v", st.Up, st.DownSince)
	}
	before := time.Now()
	if err := r.Crash("d2"); err != nil {
		t.Fatal(err)
	}
	after := time.Now()
	st := d2.Status()
	if st.Up || st.DownSince.Before(before) || st.DownSince.After(after) || !st.Started.Before(before) {
		t.Fatalf("crashed in [%v, %v]: up %v, down since %v, started %v", before, after, st.Up, st.DownSince, st.Started)
	}
	if err := r.Restart("d2"); err != nil {
		t.Fatal(err)
	}
	if st := d2.Status(); !st.Up || !st.DownSince.IsZero() || st.Started.Before(after) {
		t.Fatalf("restarted after %v: up %v, down since %v, started %v", after, st.Up, st.DownSince, st.Started)
	}
}
