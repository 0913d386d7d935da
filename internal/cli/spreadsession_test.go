package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	"github.com/spgo/spgo/internal/wire"
	"github.com/spgo/spgo/pkg/spread"
)

// scriptedDaemon accepts one client, does the handshake, writes frames
// (a nil frame: hangs up): it makes the messages a single embedded daemon never sends
// (transition, reject, an undecodable body).
func scriptedDaemon(t *testing.T, private string, frames ...[]byte) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		r := bufio.NewReader(c)
		h, err := readHello(r)
		if err != nil {
			return
		}
		c.Write(wire.AppendAuthOffer(nil, []string{"NULL"}))
		if _, err := io.ReadFull(r, make([]byte, wire.AuthChoiceSize)); err != nil {
			return
		}
		c.Write(wire.AppendAccept(nil, wire.HasPatchByte(h.Major, h.Minor), private))
		for _, f := range frames {
			if f == nil { // hang up, as a daemon that goes away
				return
			}
			c.Write(f)
		}
		io.Copy(io.Discard, r) // until the client goes
	}()
	return fmt.Sprintf("%d@127.0.0.1", ln.Addr().(*net.TCPAddr).Port)
}

func frame(typ uint32, sender string, groups []string, hint uint32, body []byte, oldType ...uint32) []byte {
	m := wire.Message{Header: wire.Header{Type: typ, Sender: wire.MakeName(sender), NumGroups: int32(len(groups)),
		Hint: hint, DataLen: int32(len(body))}, Body: body}
	for _, g := range groups {
		m.Groups = append(m.Groups, wire.MakeName(g))
	}
	if len(oldType) > 0 {
		m.OldType = oldType[0]
	}
	return wire.AppendMessage(nil, &m)
}

func TestSpreadSessionConvertsEveryKind(t *testing.T) {
	me := "#u#fake"
	gid := wire.GroupID{ProcID: 2130706433, Time: 1700000000, Index: 4}
	server := scriptedDaemon(t, me,
		frame(uint32(spread.AgreedMess|spread.SelfDiscard), "#a#fake", []string{"g1", "g2"}, wire.MakeHint(-3), []byte("hi")),
		frame(uint32(spread.RegMembMess|spread.CausedByJoin), "g1", []string{"#a#fake"}, wire.MakeHint(0), []byte{1, 2, 3}),
		frame(uint32(spread.TransitionMess), "g1", nil, wire.MakeHint(0), wire.AppendGroupID(nil, gid)),
		frame(uint32(spread.RegMembMess|spread.CausedByNetwork), "g1", []string{"#a#fake", me}, wire.MakeHint(0),
			wire.AppendMembershipBody(nil, gid, 1, nameField("#a#fake"), nameField(me))),
		frame(uint32(spread.RejectMess), me, []string{"full", me}, wire.MakeHint(0), nil, uint32(spread.CausedByJoin)),
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
	server := scriptedDaemon(t, "#u#fake", nil)
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

// nameField is s as one raw 32-byte name field.
func nameField(s string) []byte {
	n := wire.MakeName(s)
	return n[:]
}

// readHello reads one client hello from r, as much as DecodeHello asks for.
func readHello(r *bufio.Reader) (wire.Hello, error) {
	for n := 2; ; {
		b, err := r.Peek(n)
		if err != nil {
			return wire.Hello{}, err
		}
		h, used, err := wire.DecodeHello(b)
		var short *wire.ShortError
		if errors.As(err, &short) {
			n = short.Need
			continue
		}
		if err != nil {
			return h, err
		}
		_, err = r.Discard(used)
		return h, err
	}
}
