package spread_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/spgo/spgo/internal/capture"
	"github.com/spgo/spgo/internal/wire"
	"github.com/spgo/spgo/internal/wire/wiretest"
	"github.com/spgo/spgo/pkg/spread"
)

// TestCaptureReplay plays every capture's daemon side against the client.
// For each connection made by a libspread-like program, a fake daemon
// writes the recorded D>C units and checks each C>D unit the client sends
// byte for byte; the client is driven with the calls that produce the
// recorded requests (the private name and flags come from the recorded
// hello, JOIN/LEAVE/data requests are decoded into Join/Leave/Multicast
// calls, KILL_MESS into Disconnect). Every message the client receives is
// compared with what the C program printed for it ('#|' lines).
// Connections of raw test programs (odd versions, malformed frames,
// big-endian headers) are driven as far as the client API can reproduce
// them; those whose handshake this client never sends are skipped, each in
// its own subtest with the reason.
func TestCaptureReplay(t *testing.T) {
	files, err := capture.All(capture.Dir())
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 30 {
		t.Fatalf("only %d captures found", len(files))
	}
	replayed, ran := 0, 0
	for _, f := range files {
		t.Run(f.Name, func(t *testing.T) {
			ran++
			printed, err := parsePrinted(f.Printed)
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Conns()) == 0 {
				t.Skipf("no client connections, only %d monitor datagrams: nothing to replay", len(f.Datagrams()))
			}
			var n tally
			for _, conn := range f.Conns() {
				t.Run(conn, func(t *testing.T) { replayConn(t, f, conn, printed, &n) })
			}
			if n.ran == len(f.Conns()) && n.replayed == 0 && !rawOnlyCaptures[f.Name] {
				t.Errorf("none of the %d connections was replayed", len(f.Conns()))
			}
			replayed += n.replayed
		})
	}
	if ran == len(files) && replayed < minReplayed { // not when -run picks some
		t.Errorf("%d capture connections replayed, want at least %d", replayed, minReplayed)
	}
}

// tally counts a capture's connections: those run (not left out by -run)
// and those replayed.
type tally struct{ ran, replayed int }

// minReplayed is how many capture connections the client replays: of the
// 99 connections in testdata/captures, 14 are raw programs' handshakes
// (captures 06, 07 and 08) that this client never sends. A change to the
// client or the test that stops replaying some fails here.
const minReplayed = 85

// rawOnlyCaptures are the captures whose every connection is a raw
// program's handshake; every other capture must replay at least one.
var rawOnlyCaptures = map[string]bool{
	"07_version_handling.txt": true,
	"08_reject_auth.txt":      true,
}

type step struct {
	dir     string // capture.ClientToDaemon, capture.DaemonToClient or "close"
	by      string // for close: "C" or "D"
	payload []byte
}

func connSteps(f *capture.File, conn string) []step {
	var out []step
	for _, ev := range f.Events {
		if ev.Conn != conn {
			continue
		}
		switch ev.Kind {
		case capture.Unit:
			out = append(out, step{dir: ev.Dir, payload: ev.Payload})
		case capture.Close:
			out = append(out, step{dir: "close", by: ev.By})
		}
	}
	return out
}

// action is one client call derived from a recorded request.
type action struct {
	unit    []byte // the recorded C>D unit
	sent    bool   // the client is expected to put unit on the wire
	do      func(mb *spread.Mailbox) error
	wantErr error // the local refusal expected when !sent
	what    string
	// final: a raw program's request the client refuses; the recording
	// after it shows the daemon's reaction to bytes we never send.
	final bool
}

// libraryHandshake reads the handshake a connection starts with and says
// why it cannot be replayed ("" when it can): the hello and the
// authentication choice must be what this client sends, in libspread's
// order. rejected is a handshake the daemon refused after the hello.
func libraryHandshake(steps []step) (hello wire.Hello, rejected bool, handshakeLen int, why string) {
	if len(steps) < 2 || steps[0].dir != capture.ClientToDaemon || steps[1].dir != capture.DaemonToClient {
		return hello, false, 0, "not a client handshake: nothing to replay"
	}
	hello, n, err := wire.DecodeHello(steps[0].payload)
	if err != nil || n != len(steps[0].payload) || hello.Major != 4 || hello.Minor != 4 || hello.Patch != 0 {
		return hello, false, 0, fmt.Sprintf("raw client: hello %x is not one this client sends", steps[0].payload)
	}
	offer := steps[1].payload
	if len(offer) == 1 && offer[0] >= 0x80 {
		return hello, true, 2, ""
	}
	if len(steps) < 6 || steps[2].dir != capture.ClientToDaemon || steps[3].dir != capture.DaemonToClient ||
		steps[4].dir != capture.DaemonToClient || steps[5].dir != capture.DaemonToClient {
		return hello, false, 0, "raw client: handshake does not follow the library's order"
	}
	want, _ := wire.AppendAuthChoice(nil, []string{"NULL"})
	if !bytes.Equal(steps[2].payload, want) {
		return hello, false, 0, fmt.Sprintf("raw client: auth choice %x is not one this client sends", steps[2].payload)
	}
	return hello, false, 6, ""
}

// replayConn replays one connection and counts it in n, or skips it with
// the reason when this client cannot speak for it.
func replayConn(t *testing.T, f *capture.File, conn string, printed map[string][]*printedRecv, n *tally) {
	n.ran++
	steps := connSteps(f, conn)
	hello, rejected, handshakeLen, why := libraryHandshake(steps)
	if why != "" {
		t.Skip(why)
	}
	n.replayed++
	opts := []spread.Option{
		spread.WithName(string(hello.Name)),
		spread.WithMembership(hello.Flags&1 == 1),
		spread.WithPriority(int(hello.Flags >> 4)),
		spread.WithTimeout(10 * time.Second),
	}
	if wire.FirstIllegalByte(hello.Name) >= 0 {
		// libspread sends it and gets 0xfb; we refuse before dialing.
		_, err := spread.Connect("1@127.0.0.1", opts...)
		if !errors.Is(err, spread.ErrRejectIllegalName) {
			t.Fatalf("illegal name %q: Connect = %v, want REJECT_ILLEGAL_NAME before dialing", hello.Name, err)
		}
		return
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port

	var pg string
	if !rejected {
		pg = string(steps[5].payload[1:])
	}
	actions, rest, note := planActions(steps[handshakeLen:], pg)
	if note != "" {
		t.Log(note)
	}

	fakeErr := make(chan error, 1)
	go func() { fakeErr <- fakeDaemon(ln, steps[:handshakeLen], rest, actions) }()

	mb, err := spread.Connect(strconv.Itoa(port)+"@127.0.0.1", opts...)
	if rejected {
		code := int(int8(steps[1].payload[0])) // the one-byte refusal
		var se *spread.Error
		if !errors.As(err, &se) || se.Code != code {
			t.Fatalf("Connect = %v, want code %d", err, code)
		}
		if e := <-fakeErr; e != nil {
			t.Fatal(e)
		}
		return
	}
	if err != nil {
		t.Fatalf("Connect: %v (fake daemon: %v)", err, <-fakeErr)
	}
	defer mb.Disconnect()
	if mb.PrivateGroup() != pg {
		t.Fatalf("PrivateGroup = %q, want %q", mb.PrivateGroup(), pg)
	}

	expect := printed[pg]
	ai := 0
	closedByDaemon := false
	disconnected := false
	checked := 0
	defer func() { t.Logf("%d requests replayed, %d received messages matched libspread's output", ai, checked) }()
	for _, s := range rest {
		switch s.dir {
		case capture.ClientToDaemon:
			a := actions[ai]
			ai++
			err := a.do(mb)
			if a.what == "disconnect" {
				disconnected = true
			}
			if a.sent && err != nil {
				t.Fatalf("%s: %v", a.what, err)
			}
			if !a.sent && !errors.Is(err, a.wantErr) {
				t.Fatalf("%s: got %v, want a local %v", a.what, err, a.wantErr)
			}
		case capture.DaemonToClient:
			msg := receive(t, mb)
			if len(expect) > 0 && expect[0].ret >= -16 && expect[0].ret != -8 {
				checkPrinted(t, mb, msg, expect[0])
				expect = expect[1:]
				checked++
			} else if err := decodable(msg); err != nil {
				t.Fatal(err)
			}
		case "close":
			if s.by == "D" {
				closedByDaemon = true
			}
		}
	}
	if closedByDaemon && !disconnected {
		_, err := mb.Receive()
		if !errors.Is(err, spread.ErrConnectionClosed) {
			t.Fatalf("Receive after the daemon closed: %v, want CONNECTION_CLOSED", err)
		}
		if len(expect) > 0 && expect[0].ret == -8 {
			expect = expect[1:]
		}
		if err := mb.Multicast(spread.AgreedMess, "x", nil, 0); !errors.Is(err, spread.ErrConnectionClosed) {
			t.Fatalf("Multicast after the daemon closed: %v", err)
		}
		if err := mb.Join("x"); !errors.Is(err, spread.ErrConnectionClosed) {
			t.Fatalf("Join after the daemon closed: %v", err)
		}
	}
	if err := mb.Disconnect(); err != nil {
		t.Fatal(err)
	}
	if e := <-fakeErr; e != nil {
		t.Fatal(e)
	}
	for _, r := range expect {
		if r.ret >= 0 {
			// The client read fewer messages than the C program printed.
			t.Errorf("printed but never received: %s", r.line)
		}
	}
}

func receive(t *testing.T, mb *spread.Mailbox) spread.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	msg, err := mb.ReceiveContext(ctx)
	if err != nil {
		t.Fatalf("Receive: %v", err)
	}
	return msg
}

func decodable(msg spread.Message) error {
	if msg == nil {
		return errors.New("nil message")
	}
	return nil
}

// planActions turns the recorded requests after the handshake into client
// calls. It stops at the first request the client API cannot produce (a
// raw program's malformed or big-endian frame); the steps before it are
// returned.
func planActions(steps []step, pg string) ([]action, []step, string) {
	var acts []action
	steps = mergeSplitFrames(steps)
	for i, s := range steps {
		if s.dir != capture.ClientToDaemon {
			continue
		}
		a, ok := actionFor(s.payload, pg)
		if !ok {
			return acts, steps[:i], fmt.Sprintf("stopping at C>D unit %d: not a request the client API makes (%d bytes: %x...)", i, len(s.payload), s.payload[:min(len(s.payload), 64)])
		}
		acts = append(acts, a)
		if a.final {
			return acts, steps[:i+1], fmt.Sprintf("stopping after C>D unit %d: %s is refused by the client", i, a.what)
		}
	}
	return acts, steps, ""
}

// mergeSplitFrames joins a C>D header unit with the C>D unit that holds
// the rest of its frame (the recorder splits a frame the daemon refused
// after its header, capture 21_too_long_message_killed.txt).
func mergeSplitFrames(steps []step) []step {
	var out []step
	for i := 0; i < len(steps); i++ {
		s := steps[i]
		if s.dir == capture.ClientToDaemon && len(s.payload) == wire.HeaderSize && i+1 < len(steps) &&
			steps[i+1].dir == capture.ClientToDaemon {
			if h, err := wire.DecodeHeader(s.payload); err == nil && h.NumGroups >= 0 && h.DataLen > 0 &&
				wire.HeaderSize+32*int(h.NumGroups)+int(h.DataLen) == len(s.payload)+len(steps[i+1].payload) {
				s.payload = append(slices.Clip(s.payload), steps[i+1].payload...)
				i++
			}
		}
		out = append(out, s)
	}
	return out
}

func actionFor(unit []byte, pg string) (action, bool) {
	m, n, err := wiretest.Decode(unit, wire.Limits{MaxGroups: 1000, MaxDataLen: 1 << 20, MaxTotal: 1 << 21})
	if err != nil || n != len(unit) || m.BigEndian || m.Sender.String() != pg || !m.Sender.HasNUL() {
		return action{}, false
	}
	if m.Hint&^0x80ffff80 != 0 || m.Hint&wire.EndianMarker != wire.EndianMarker {
		return action{}, false
	}
	groups := make([]string, len(m.Groups))
	for i := range m.Groups {
		if !m.Groups[i].HasNUL() {
			return action{}, false
		}
		groups[i] = m.Groups[i].String()
	}
	typ := m.Type
	a := action{unit: unit, sent: true}
	switch {
	case typ == wire.JoinMess || typ == wire.LeaveMess:
		if len(groups) != 1 || m.DataLen != 0 || m.Hint != wire.EndianMarker {
			return a, false
		}
		g := groups[0]
		if !legalMemberGroup(g) {
			a.sent, a.wantErr, a.final = false, spread.ErrIllegalGroup, true
		}
		if typ == wire.JoinMess {
			a.what, a.do = "join "+g, func(mb *spread.Mailbox) error { return mb.Join(g) }
		} else {
			a.what, a.do = "leave "+g, func(mb *spread.Mailbox) error { return mb.Leave(g) }
		}
		return a, true
	case typ == wire.KillMess:
		a.what, a.do = "disconnect", func(mb *spread.Mailbox) error { return mb.Disconnect() }
		return a, true
	}
	svc := spread.ServiceType(typ)
	if svc&spread.RegularMess == 0 || svc&^(spread.RegularMess|spread.SelfDiscard) != 0 {
		return a, false
	}
	if b := svc & spread.RegularMess; b&(b-1) != 0 {
		a.sent, a.wantErr, a.final = false, spread.ErrIllegalService, true
	}
	for _, g := range groups {
		if !legalMemberGroup(g) && (len(g) > 31 || !isPrivateGroup(g)) {
			a.sent, a.wantErr, a.final = false, spread.ErrIllegalGroup, true
		}
	}
	mt, _ := wire.MessType(m.Hint)
	data := m.Body
	a.what = fmt.Sprintf("multicast %v to %d groups, %d bytes", svc, len(groups), len(data))
	if len(groups) == 1 {
		a.do = func(mb *spread.Mailbox) error {
			if err := mb.Multicast(svc, groups[0], data, mt); err != nil {
				return err
			}
			return mb.Flush()
		}
	} else {
		a.do = func(mb *spread.Mailbox) error {
			if err := mb.MulticastGroups(svc, groups, data, mt); err != nil {
				return err
			}
			return mb.Flush()
		}
	}
	// Requests the client refuses locally; the real daemon mishandles them
	// (docs/protocol.md §9).
	switch {
	case a.final:
	case len(groups) > spread.MaxGroups:
		a.sent, a.wantErr = false, spread.ErrIllegalMessage
	case len(data)+32*len(groups) > spread.MaxMessageLen:
		a.sent, a.wantErr = false, spread.ErrMessageTooLong
	}
	return a, true
}

// fakeDaemon accepts one connection and plays the daemon side: it checks
// the handshake units, then walks the steps, writing D>C units and reading
// the C>D units of the actions that go on the wire.
func fakeDaemon(ln net.Listener, handshake, steps []step, actions []action) error {
	if tl, ok := ln.(*net.TCPListener); ok {
		_ = tl.SetDeadline(time.Now().Add(10 * time.Second))
	}
	c, err := ln.Accept()
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(20 * time.Second))
	for _, s := range handshake {
		if s.dir == capture.ClientToDaemon {
			if err := expectUnit(c, s.payload); err != nil {
				return fmt.Errorf("handshake: %w", err)
			}
		} else if _, err := c.Write(s.payload); err != nil {
			return err
		}
	}
	ai := 0
	for i, s := range steps {
		switch s.dir {
		case capture.ClientToDaemon:
			a := actions[ai]
			ai++
			if !a.sent {
				continue
			}
			if err := expectUnit(c, a.unit); err != nil {
				return fmt.Errorf("step %d (%s): %w", i, a.what, err)
			}
		case capture.DaemonToClient:
			if _, err := c.Write(s.payload); err != nil {
				return fmt.Errorf("step %d: write: %w", i, err)
			}
		case "close":
			if s.by == "D" {
				return nil
			}
		}
	}
	// The client closes: it may still send its KILL_MESS (a program that
	// exited without SP_disconnect is replayed with Disconnect).
	rest, err := io.ReadAll(c)
	if err != nil && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("after the last step: %w", err)
	}
	if len(rest) != 0 && (len(rest) != 80 || rest[1] != 0 || rest[2] != 4) {
		return fmt.Errorf("unexpected bytes after the last step: %x", rest)
	}
	return nil
}

// expectUnit reads len(want) bytes and compares them with the recorded
// unit, leaving out the client's garbage after NULs in group fields
// (capture.EqualClientUnit), which this client must send as zeros.
func expectUnit(c net.Conn, want []byte) error {
	got := make([]byte, len(want))
	if _, err := io.ReadFull(c, got); err != nil {
		return fmt.Errorf("reading %d bytes: %w", len(want), err)
	}
	if !capture.EqualClientUnit(got, want) {
		return fmt.Errorf("client sent\n%x\nwant\n%x", got, want)
	}
	return nil
}

// checkPrinted compares a received message with what libspread reported.
func checkPrinted(t *testing.T, mb *spread.Mailbox, msg spread.Message, p *printedRecv) {
	t.Helper()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("%s\n  got %#v\n  %s", p.line, msg, fmt.Sprintf(format, args...))
	}
	if uint32(msg.ServiceType()) != p.service {
		fail("service 0x%08x", uint32(msg.ServiceType()))
	}
	var sender string
	var groups []string
	var data []byte
	mt, endian := 0, false
	switch m := msg.(type) {
	case *spread.RegularMessage:
		sender, groups, data, mt, endian = m.Sender, m.Groups, m.Data, int(m.MsgType), m.EndianMismatch
	case *spread.RejectMessage:
		sender, groups, data, mt, endian = m.Sender, m.Groups, m.Data, int(m.MsgType), m.EndianMismatch
	case *spread.MembershipMessage:
		sender, groups = m.Group, m.Members
		mt = m.IndexOf(mb.PrivateGroup())
		checkPrintedMemb(t, m, p, fail)
	}
	if sender != p.sender {
		fail("sender %q", sender)
	}
	if p.numGroups >= 0 && len(groups) != p.numGroups {
		fail("%d groups", len(groups))
	}
	if p.numGroups >= 0 && p.groups != nil && !slices.Equal(groups, p.groups) {
		fail("groups %q, printed %q", groups, p.groups)
	}
	if mt != p.messType {
		fail("mess_type %d", mt)
	}
	if p.ret >= 0 && p.endian >= 0 && endian != (p.endian == 1) {
		fail("endian mismatch %v", endian)
	}
	if p.ret >= 0 && p.data != nil {
		if len(data) != p.data.n {
			fail("%d data bytes, printed %d", len(data), p.data.n)
		}
		shown := shownAs(data)
		if p.data.truncated && len(shown) > len(p.data.shown) {
			shown = shown[:len(p.data.shown)]
		}
		if shown != p.data.shown {
			fail("data %q, printed %q", shown, p.data.shown)
		}
	}
	if p.ret >= 0 {
		if n := len(data); msg.ServiceType().IsMembership() {
			_ = n
		} else if n != p.ret {
			fail("returned %d bytes, libspread returned %d", n, p.ret)
		}
	}
}

func checkPrintedMemb(t *testing.T, m *spread.MembershipMessage, p *printedRecv, fail func(string, ...any)) {
	t.Helper()
	if p.transGID != "" {
		if m.Cause != spread.CauseTransition || m.GroupID.String() != p.transGID {
			fail("transition gid %v", m.GroupID)
		}
		return
	}
	if p.memb == nil {
		if p.ret >= 0 && m.Cause != spread.CauseSelfLeave && m.Cause != spread.CauseTransition {
			fail("no membership info printed for cause %v", m.Cause)
		}
		return
	}
	pm := p.memb
	if m.GroupID.String() != pm.gid {
		fail("gid %v, printed %s", m.GroupID, pm.gid)
	}
	changed := ""
	if len(m.Changed) > 0 {
		changed = m.Changed[0]
	}
	if changed != pm.changed {
		fail("changed %q", changed)
	}
	if len(m.VSSets) != pm.numVSSets || m.LocalVSSet < 0 {
		fail("%d vs sets, local %d", len(m.VSSets), m.LocalVSSet)
	}
	off := 24
	for i, set := range m.VSSets {
		if i == m.LocalVSSet && (len(set) != pm.myNum || off != pm.myOff) {
			fail("local vs set %d: %d members at offset %d", i, len(set), off)
		}
		if i < len(p.vs) {
			v := p.vs[i]
			if v.num != len(set) || v.off != off || !slices.Equal(v.members, set) {
				fail("vs set %d = %q at %d, printed %+v", i, set, off, v)
			}
		}
		off += 4 + 32*len(set)
	}
}

// legalMemberGroup is the documented rule for JOIN/LEAVE names: 1..31
// bytes '$'..'~'.
func legalMemberGroup(g string) bool {
	return len(g) >= 1 && len(g) <= 31 && wire.FirstIllegalByte([]byte(g)) < 0
}

func isPrivateGroup(g string) bool {
	_, _, ok := wire.SplitPrivateGroup([]byte(g))
	return ok
}
