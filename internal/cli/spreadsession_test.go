package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/spgo/spgo/pkg/daemon/spreadtest"
	"github.com/spgo/spgo/pkg/spread"
)

func TestSpreadSessionConvertsEveryKind(t *testing.T) {
	me := "#u#fake"
	gid := spread.GroupID{ProcID: 2130706433, Time: 1700000000, Index: 4}
	server := spreadtest.Scripted(t, me,
		spreadtest.Message(spread.AgreedMess|spread.SelfDiscard, "#a#fake", []string{"g1", "g2"}, -3, []byte("hi")),
		spreadtest.Membership(spread.CausedByJoin, "g1", []string{"#a#fake"}, []byte{1, 2, 3}),
		spreadtest.Transition("g1", gid),
		spreadtest.Membership(spread.CausedByNetwork, "g1", []string{"#a#fake", me},
			spreadtest.MembershipBody(gid, 1, []string{"#a#fake"}, []string{me})),
		spreadtest.Reject(spread.CausedByJoin, me, []string{"full", me}),
	)
	ctx := context.Background()
	s, err := spreadConnect(ctx, ConnectRequest{Server: server, User: "u", Timeout: 5 * time.Second, Membership: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Disconnect()
	if s.PrivateGroup() != me {
		t.Fatalf("private group %q", s.PrivateGroup())
	}

	e, err := s.Receive(ctx)
	if err != nil || e.Kind != KindMessage || e.Service != "AGREED" || !e.SelfDiscard || e.MsgType != -3 || string(e.Data) != "hi" || len(e.Groups) != 2 {
		t.Fatalf("data: %+v %v", e, err)
	}

	_, err = s.Receive(ctx)
	if !errors.Is(err, errSkipped) {
		t.Fatalf("undecodable membership body: %v", err)
	}

	e, err = s.Receive(ctx)
	if err != nil || e.Kind != KindMembership || e.Cause != "transition" || e.GroupID != (groupID{2130706433, 1700000000, 4}) {
		t.Fatalf("transition: %+v %v", e, err)
	}

	e, err = s.Receive(ctx)
	if err != nil || e.Cause != "network" || len(e.VSSets) != 2 || e.LocalVSSet != 1 || len(e.Members) != 2 {
		t.Fatalf("network: %+v %v", e, err)
	}
	if got := e.membershipHeadline(); got != "g1: network change with 2 vs sets" {
		t.Errorf("headline %q", got)
	}

	e, err = s.Receive(ctx)
	if err != nil || e.Kind != KindReject || e.Service != "JOIN" {
		t.Fatalf("reject: %+v %v", e, err)
	}
}

func TestSpreadSessionErrors(t *testing.T) {
	// Nothing listens: COULD_NOT_CONNECT, exit 3, Spread's text.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := fmt.Sprintf("%d@127.0.0.1", ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	_, err := spreadConnect(context.Background(), ConnectRequest{Server: addr, Timeout: time.Second})
	if ExitCode(err) != ExitConnect || !errors.Is(err, spread.ErrCouldNotConnect) {
		t.Errorf("connect to nothing: %v (exit %d)", err, ExitCode(err))
	}
	// A daemon that hangs up after the handshake: connection lost, exit 5.
	server := spreadtest.Scripted(t, "#u#fake", spreadtest.HangUp)
	s, err := spreadConnect(context.Background(), ConnectRequest{Server: server, User: "u", Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Disconnect()
	_, err = s.Receive(context.Background())
	if ExitCode(err) != ExitConnectLost {
		t.Errorf("receive after close: %v (exit %d)", err, ExitCode(err))
	}
}
