package spread_test

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"

	"github.com/spgo/spgo/pkg/spread"
)

func TestErrorTextsAreSPError(t *testing.T) {
	want := map[int]string{
		1:   "unrecognized error",
		-1:  "Illegal spread was provided",
		-2:  "Could not connect. Is Spread running?",
		-3:  "Connection rejected, too many users",
		-4:  "Connection rejected, no name was supplied",
		-5:  "Connection rejected, illegal name",
		-6:  "Connection rejected, name not unique",
		-7:  "Connection rejected, library does not fit daemon",
		-8:  "Connection closed by spread",
		-9:  "Connection rejected, authentication failed",
		-10: "unrecognized error",
		-11: "Illegal session was supplied",
		-12: "Illegal service request",
		-13: "Illegal message",
		-14: "Illegal group",
		-15: "The supplied buffer was too short",
		-16: "The supplied groups list was too short",
		-17: "The message body + group names was too large to fit in a message",
		-18: "The network socket experienced an error. This Spread mailbox will no longer work until the connection is disconnected and then reconnected",
		-19: "Internal spread bug detected!",
		-20: "unrecognized error",
	}
	for code, text := range want {
		if got := spread.ErrorText(code); got != text {
			t.Errorf("ErrorText(%d) = %q, want %q", code, got, text)
		}
	}
}

func TestErrorIsAndFormat(t *testing.T) {
	sentinels := []*spread.Error{spread.ErrIllegalSpread, spread.ErrCouldNotConnect, spread.ErrRejectQuota,
		spread.ErrRejectNoName, spread.ErrRejectIllegalName, spread.ErrRejectNotUnique, spread.ErrRejectVersion,
		spread.ErrConnectionClosed, spread.ErrRejectAuth, spread.ErrIllegalSession, spread.ErrIllegalService,
		spread.ErrIllegalMessage, spread.ErrIllegalGroup, spread.ErrBufferTooShort, spread.ErrGroupsTooShort,
		spread.ErrMessageTooLong, spread.ErrNetErrorOnSession, spread.ErrSPBug}
	codes := []int{-1, -2, -3, -4, -5, -6, -7, -8, -9, -11, -12, -13, -14, -15, -16, -17, -18, -19}
	for i, s := range sentinels {
		if s.Code != codes[i] {
			t.Errorf("sentinel %d has code %d, want %d", i, s.Code, codes[i])
		}
		e := &spread.Error{Code: codes[i], Op: "join", Daemon: "4803", Detail: "why", Err: io.EOF}
		wrapped := fmt.Errorf("outer: %w", e)
		for j, other := range sentinels {
			if errors.Is(wrapped, other) != (i == j) {
				t.Errorf("errors.Is(code %d, sentinel %d) = %v", codes[i], codes[j], !(i == j))
			}
		}
		if !errors.Is(wrapped, io.EOF) {
			t.Error("cause not unwrapped")
		}
		msg := e.Error()
		if !strings.Contains(msg, spread.ErrorText(codes[i])) || !strings.Contains(msg, `join "4803"`) ||
			!strings.Contains(msg, "why") || strings.Contains(msg, "\n") {
			t.Errorf("Error() = %q", msg)
		}
	}
	if errors.Is(&spread.Error{Code: spread.ConnectionClosed}, spread.ErrDisconnected) {
		t.Error("a plain CONNECTION_CLOSED matches ErrDisconnected")
	}
}

func TestConstants(t *testing.T) {
	checks := map[string][2]int64{
		"UNRELIABLE_MESS": {int64(spread.UnreliableMess), 0x1}, "RELIABLE_MESS": {int64(spread.ReliableMess), 0x2},
		"FIFO_MESS": {int64(spread.FIFOMess), 0x4}, "CAUSAL_MESS": {int64(spread.CausalMess), 0x8},
		"AGREED_MESS": {int64(spread.AgreedMess), 0x10}, "SAFE_MESS": {int64(spread.SafeMess), 0x20},
		"REGULAR_MESS": {int64(spread.RegularMess), 0x3f}, "SELF_DISCARD": {int64(spread.SelfDiscard), 0x40},
		"CAUSED_BY_JOIN": {int64(spread.CausedByJoin), 0x100}, "CAUSED_BY_LEAVE": {int64(spread.CausedByLeave), 0x200},
		"CAUSED_BY_DISCONNECT": {int64(spread.CausedByDisconnect), 0x400},
		"CAUSED_BY_NETWORK":    {int64(spread.CausedByNetwork), 0x800},
		"REG_MEMB_MESS":        {int64(spread.RegMembMess), 0x1000}, "TRANSITION_MESS": {int64(spread.TransitionMess), 0x2000},
		"MEMBERSHIP_MESS": {int64(spread.MembershipMess), 0x3f00}, "REJECT_MESS": {int64(spread.RejectMess), 0x400000},
		"RESERVED": {int64(spread.Reserved), 0x3fc000}, "DROP_RECV": {int64(spread.DropRecv), 0x01000000},
		"ENDIAN_RESERVED": {int64(spread.EndianReserved), 0x80000080},
		"MAX_GROUP_NAME":  {spread.MaxGroupName, 32}, "MAX_PRIVATE_NAME": {spread.MaxPrivateName, 10},
		"MAX_PROC_NAME": {spread.MaxProcName, 20}, "DEFAULT_SPREAD_PORT": {spread.DefaultSpreadPort, 4803},
		"SPREAD_VERSION": {spread.SpreadVersion, 0x04040000}, "max message": {spread.MaxMessageLen, 143151},
		"max groups": {spread.MaxGroups, 43}, "ACCEPT_SESSION": {spread.AcceptSession, 1},
	}
	for name, c := range checks {
		if c[0] != c[1] {
			t.Errorf("%s = %#x, want %#x", name, c[0], c[1])
		}
	}
	if s := (spread.AgreedMess | spread.SelfDiscard).String(); s != "AGREED_MESS|SELF_DISCARD" {
		t.Errorf("String = %q", s)
	}
	if s := (spread.RegMembMess | spread.CausedByJoin | 0x80000).String(); s != "CAUSED_BY_JOIN|REG_MEMB_MESS|0x80000" {
		t.Errorf("String = %q", s)
	}
}

// The connect error names the address once: the dialer's error already
// says "dial tcp ADDR".
func TestCouldNotConnectNamesAddressOnce(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().(*net.TCPAddr)
	ln.Close() // nothing listens there now
	_, err = spread.Connect(fmt.Sprintf("%d@127.0.0.1", addr.Port))
	if !errors.Is(err, spread.ErrCouldNotConnect) {
		t.Fatalf("err = %v, want COULD_NOT_CONNECT", err)
	}
	if n := strings.Count(err.Error(), addr.String()); n != 1 {
		t.Fatalf("error names the address %d times: %v", n, err)
	}
}
