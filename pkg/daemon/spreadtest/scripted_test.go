package spreadtest

import (
	"slices"
	"testing"

	"github.com/spgo/spgo/pkg/spread"
)

// A client of a scripted daemon receives the frames as the real client
// decodes them: a message, a transition and a network membership with two
// vs sets, a reject, then the hang-up.
func TestScriptedDaemonFrames(t *testing.T) {
	me := "#me#d2"
	gid := spread.GroupID{ProcID: 0x7f000001, Time: 1700000000, Index: 7}
	addr := Scripted(t, me,
		Message(spread.SafeMess, "#a#d1", []string{"g"}, 5, []byte("hello")),
		Transition("g", gid),
		Membership(spread.CausedByNetwork, "g", []string{"#a#d1", me}, MembershipBody(gid, 1, []string{"#a#d1"}, []string{me})),
		Reject(spread.AgreedMess, me, []string{"g"}),
		HangUp,
	)
	mb, err := spread.Connect(addr, spread.WithName("me"))
	if err != nil {
		t.Fatal(err)
	}
	defer mb.Disconnect()
	if mb.PrivateGroup() != me {
		t.Fatalf("private group %q", mb.PrivateGroup())
	}
	m, err := mb.Receive()
	if r, ok := m.(*spread.RegularMessage); err != nil || !ok || r.Service != spread.SafeMess || r.Sender != "#a#d1" || string(r.Data) != "hello" || r.MsgType != 5 {
		t.Fatalf("message: %#v %v", m, err)
	}
	m, err = mb.Receive()
	if tr, ok := m.(*spread.MembershipMessage); err != nil || !ok || tr.Cause != spread.CauseTransition || tr.GroupID != gid {
		t.Fatalf("transition: %#v %v", m, err)
	}
	m, err = mb.Receive()
	nw, ok := m.(*spread.MembershipMessage)
	if err != nil || !ok || nw.Cause != spread.CauseNetwork || len(nw.VSSets) != 2 || nw.LocalVSSet != 1 || !slices.Equal(nw.VSSets[1], []string{me}) {
		t.Fatalf("network: %#v %v", m, err)
	}
	m, err = mb.Receive()
	if rj, ok := m.(*spread.RejectMessage); err != nil || !ok || rj.OldType != spread.AgreedMess {
		t.Fatalf("reject: %#v %v", m, err)
	}
	if _, err = mb.Receive(); err == nil {
		t.Fatalf("after hang-up: %v", err)
	}
}
