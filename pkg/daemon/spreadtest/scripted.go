package spreadtest

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"

	"github.com/spgo/spgo/internal/wire"
	"github.com/spgo/spgo/pkg/spread"
)

// Frame is one frame a scripted daemon writes to its client, exactly as a
// daemon writes it (docs/protocol.md §5). Build frames with Message,
// Membership, Transition and Reject, or write any bytes to play a broken
// daemon. A nil Frame makes the daemon hang up there.
type Frame []byte

// HangUp, placed in a script, closes the connection as a daemon that goes
// away does.
var HangUp Frame

// Scripted starts a fake daemon on 127.0.0.1 that accepts one client,
// completes the handshake giving it the private group name private, writes
// frames in order and then reads until the client goes. It plays what one
// embedded daemon never sends: transitional and network memberships,
// rejects, undecodable bodies. It returns the daemon's address
// ("PORT@127.0.0.1"); the listener closes when the test ends.
func Scripted(t testing.TB, private string, frames ...Frame) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("spreadtest: scripted daemon: %v", err)
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
			if f == nil {
				return
			}
			c.Write(f)
		}
		io.Copy(io.Discard, r)
	}()
	return fmt.Sprintf("%d@127.0.0.1", ln.Addr().(*net.TCPAddr).Port)
}

// Message is a regular message from sender to groups with the given
// service (and SelfDiscard if wanted), message type and body.
func Message(svc spread.ServiceType, sender string, groups []string, messType int16, body []byte) Frame {
	return frame(uint32(svc), sender, groups, wire.MakeHint(messType), body, nil)
}

// Membership is a regular membership message of group with the given cause
// (spread.CausedByJoin ... spread.CausedByNetwork), members in the order a
// daemon lists them, and body (see MembershipBody; any bytes to play a
// malformed one).
func Membership(cause spread.ServiceType, group string, members []string, body []byte) Frame {
	return frame(uint32(spread.RegMembMess|cause), group, members, wire.MakeHint(0), body, nil)
}

// MembershipBody is the body of a membership message: the group id, the
// virtual-synchrony sets, and which of them holds the receiver.
func MembershipBody(id spread.GroupID, local int, sets ...[]string) []byte {
	raw := make([][]byte, len(sets))
	for i, set := range sets {
		for _, m := range set {
			n := wire.MakeName(m)
			raw[i] = append(raw[i], n[:]...)
		}
	}
	return wire.AppendMembershipBody(nil, wire.GroupID(id), local, raw...)
}

// Transition is the TRANSITION_MESS of group that precedes a network
// membership; its body is the group id of the view being left.
func Transition(group string, id spread.GroupID) Frame {
	return frame(uint32(spread.TransitionMess), group, nil, wire.MakeHint(0), wire.AppendGroupID(nil, wire.GroupID(id)), nil)
}

// Reject is a REJECT_MESS returned to sender for a refused request addressed
// to groups; old is its type: a data service type, or spread.CausedByJoin or
// spread.CausedByLeave for a join or a leave.
func Reject(old spread.ServiceType, sender string, groups []string) Frame {
	o := uint32(old)
	return frame(uint32(spread.RejectMess), sender, groups, wire.MakeHint(0), nil, &o)
}

func frame(typ uint32, sender string, groups []string, hint uint32, body []byte, oldType *uint32) Frame {
	h := wire.Header{Type: typ, Sender: wire.MakeName(sender), NumGroups: int32(len(groups)), Hint: hint, DataLen: int32(len(body))}
	b := wire.AppendHeader(nil, &h)
	if oldType != nil {
		b = binary.LittleEndian.AppendUint32(b, *oldType|wire.EndianMarker)
	}
	for _, g := range groups {
		n := wire.MakeName(g)
		b = append(b, n[:]...)
	}
	return append(b, body...)
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
