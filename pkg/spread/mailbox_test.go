package spread_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spgo/spgo/internal/wire"
	"github.com/spgo/spgo/internal/wire/wiretest"
	"github.com/spgo/spgo/pkg/spread"
)

// acceptedMock connects a client to a mock that has done the handshake and
// then runs rest.
func acceptedMock(t *testing.T, rest func(m *mock) error, opts ...spread.Option) (*spread.Mailbox, <-chan error) {
	t.Helper()
	mb, done, err := runMock(t, func(m *mock) error {
		if err := m.accept("bob", 1); err != nil {
			return err
		}
		return rest(m)
	}, append([]spread.Option{spread.WithName("bob")}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return mb, done
}

// Refused input: a typed error naming the value and the rule, and nothing
// on the wire (the mock sees only the final KILL_MESS).
func TestInputChecksSendNothing(t *testing.T) {
	mb, done := acceptedMock(t, func(m *mock) error {
		b, err := m.readOne()
		if err != nil {
			return err
		}
		if len(b) != 80 || b[2] != 0x04 {
			return errors.New("client sent something besides its KILL_MESS: " + string(b))
		}
		return nil
	})
	long := strings.Repeat("g", 32)
	groups44 := make([]string, 44)
	for i := range groups44 {
		groups44[i] = "g"
	}
	for _, tc := range []struct {
		name   string
		err    error
		want   error
		detail string
	}{
		{"join empty", mb.Join(""), spread.ErrIllegalGroup, `"" is 0 bytes`},
		{"join 32", mb.Join(long), spread.ErrIllegalGroup, "1..31"},
		{"join #", mb.Join("#priv"), spread.ErrIllegalGroup, "leading '#'"},
		{"join space", mb.Join("a b"), spread.ErrIllegalGroup, "0x20"},
		{"leave 8-bit", mb.Leave("caf\xe9"), spread.ErrIllegalGroup, "0xe9"},
		{"no service", mb.Multicast(0, "g", nil, 0), spread.ErrIllegalService, "exactly one"},
		{"self discard alone", mb.Multicast(spread.SelfDiscard, "g", nil, 0), spread.ErrIllegalService, "SELF_DISCARD"},
		{"two services", mb.Multicast(spread.AgreedMess|spread.SafeMess, "g", nil, 0), spread.ErrIllegalService, "0x30"},
		{"membership bit", mb.Multicast(spread.AgreedMess|spread.RegMembMess, "g", nil, 0), spread.ErrIllegalService, "REG_MEMB_MESS"},
		{"bad private group", mb.Multicast(spread.AgreedMess, "#bob", nil, 0), spread.ErrIllegalGroup, "#NAME#DAEMON"},
		{"too long", mb.Multicast(spread.AgreedMess, "g", make([]byte, spread.MaxMessageLen-31), 0), spread.ErrMessageTooLong, "143152"},
		{"MaxData+1 to 2", mb.MulticastGroups(spread.AgreedMess, []string{"g", "h"}, make([]byte, spread.MaxData(2)+1), 0), spread.ErrMessageTooLong, "143152"},
		{"44 groups", mb.MulticastGroups(spread.AgreedMess, groups44, nil, 0), spread.ErrIllegalMessage, "silently drops"},
		{"bad group in list", mb.MulticastGroups(spread.AgreedMess, []string{"ok", ""}, nil, 0), spread.ErrIllegalGroup, `""`},
	} {
		if !errors.Is(tc.err, tc.want) || !strings.Contains(tc.err.Error(), tc.detail) {
			t.Errorf("%s: %v; want %v mentioning %q", tc.name, tc.err, tc.want, tc.detail)
		}
	}
	if err := mb.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := mb.Disconnect(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestGroupLimitOption(t *testing.T) {
	groups := make([]string, 100)
	for i := range groups {
		groups[i] = "g"
	}
	mb, done := acceptedMock(t, func(m *mock) error {
		_, err := io.ReadFull(m.c, make([]byte, 48+32*100))
		return err
	}, spread.WithGroupLimit(100))
	if err := mb.MulticastGroups(spread.AgreedMess, groups, nil, 0); err != nil {
		t.Fatal(err)
	}
	if err := mb.MulticastGroups(spread.AgreedMess, append(groups, "g"), nil, 0); !errors.Is(err, spread.ErrIllegalMessage) {
		t.Fatalf("101 groups: %v", err)
	}
	if err := mb.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// ReceiveContext gives up when the context ends and keeps a half-read frame
// for the next call.
func TestReceiveContextKeepsPartialFrame(t *testing.T) {
	f := dataFrame("payload")
	half := make(chan struct{})
	mb, done := acceptedMock(t, func(m *mock) error {
		if err := m.write(f[:60]...); err != nil {
			return err
		}
		<-half
		return m.write(f[60:]...)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := mb.ReceiveContext(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("ReceiveContext = %v, want DeadlineExceeded", err)
	}
	cctx, ccancel := context.WithCancel(context.Background())
	ccancel()
	if _, err := mb.ReceiveContext(cctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled ReceiveContext = %v", err)
	}
	close(half)
	msg, err := mb.Receive()
	if err != nil {
		t.Fatal(err)
	}
	if rm := msg.(*spread.RegularMessage); string(rm.Data) != "payload" || rm.MsgType != 9 {
		t.Fatalf("got %+v", rm)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestMessagesIterator(t *testing.T) {
	mb, done := acceptedMock(t, func(m *mock) error {
		var s []byte
		for _, d := range []string{"one", "two", "three"} {
			s = append(s, dataFrame(d)...)
		}
		s = append(s, membFrame(0, nil)...) // malformed: reported, skipped
		s = append(s, dataFrame("four")...)
		return m.write(s...)
	})
	var got []string
	var errs []error
	for msg, err := range mb.Messages(context.Background()) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		got = append(got, string(msg.(*spread.RegularMessage).Data))
	}
	if strings.Join(got, ",") != "one,two,three,four" || len(errs) != 2 ||
		!errors.Is(errs[0], spread.ErrIllegalMessage) || !errors.Is(errs[1], spread.ErrConnectionClosed) {
		t.Fatalf("got %q, errors %v", got, errs)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestMessagesIteratorBreak(t *testing.T) {
	mb, done := acceptedMock(t, func(m *mock) error { return m.write(append(dataFrame("a"), dataFrame("b")...)...) })
	for msg := range mb.Messages(context.Background()) {
		if string(msg.(*spread.RegularMessage).Data) != "a" {
			t.Fatalf("first = %+v", msg)
		}
		break
	}
	msg, err := mb.Receive()
	if err != nil || string(msg.(*spread.RegularMessage).Data) != "b" {
		t.Fatalf("after break: %v %v", msg, err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// Many goroutines' frames arrive whole and in per-goroutine order, coalesced
// into few writes, with a small buffer forcing back-pressure.
func TestMulticastCoalescesWholeFrames(t *testing.T) {
	const senders, each = 4, 300
	frameLen := 48 + 32 + 100
	var writes int
	mb, done := acceptedMock(t, func(m *mock) error {
		var all []byte
		for len(all) < senders*each*frameLen {
			b, err := m.readOne()
			if err != nil {
				return err
			}
			writes++
			all = append(all, b...)
		}
		next := make([]int, senders)
		for p := all; len(p) > 0; p = p[frameLen:] {
			msg, n, err := wiretest.Decode(p, wire.DaemonReadLimits)
			if err != nil || n != frameLen {
				return errors.New("torn frame")
			}
			s := int(msg.Body[0])
			if int(msg.Body[1])|int(msg.Body[2])<<8 != next[s] {
				return errors.New("per-sender order broken")
			}
			next[s]++
		}
		return nil
	}, spread.WithWriteBuffer(4096))
	var wg sync.WaitGroup
	for s := range senders {
		wg.Go(func() {
			data := make([]byte, 100)
			for i := range each {
				data[0], data[1], data[2] = byte(s), byte(i), byte(i>>8)
				if err := mb.Multicast(spread.ReliableMess, "g", data, 0); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err := mb.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if writes >= senders*each {
		t.Fatalf("%d writes for %d messages: nothing was coalesced", writes, senders*each)
	}
	t.Logf("%d messages in %d writes", senders*each, writes)
}

// A daemon that stops reading: Multicast blocks on the full buffer, and
// Disconnect still returns and unblocks it.
func TestDisconnectUnblocksBackPressure(t *testing.T) {
	release := make(chan struct{})
	mb, done := acceptedMock(t, func(m *mock) error { <-release; return nil },
		spread.WithWriteBuffer(1024), spread.WithTimeout(200*time.Millisecond))
	blocked := make(chan error, 1)
	go func() {
		data := make([]byte, 600)
		for {
			if err := mb.Multicast(spread.AgreedMess, "g", data, 0); err != nil {
				blocked <- err
				return
			}
		}
	}()
	if err := mb.Disconnect(); err != nil {
		t.Fatal(err)
	}
	if err := <-blocked; !errors.Is(err, spread.ErrConnectionClosed) {
		t.Fatalf("blocked Multicast returned %v", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// A write error is sticky: every later call reports CONNECTION_CLOSED.
func TestWriteErrorIsSticky(t *testing.T) {
	mb, done := acceptedMock(t, func(m *mock) error { return nil }) // closes right away
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	var err error
	for i := 0; i < 1000 && err == nil; i++ {
		if err = mb.Multicast(spread.AgreedMess, "g", []byte("x"), 0); err == nil {
			err = mb.Flush()
		}
	}
	if !errors.Is(err, spread.ErrConnectionClosed) {
		t.Fatalf("got %v", err)
	}
	for _, e := range []error{mb.Flush(), mb.Join("g"), mb.Leave("g"), mb.Multicast(spread.AgreedMess, "g", nil, 0)} {
		if !errors.Is(e, spread.ErrConnectionClosed) {
			t.Fatalf("later call: %v", e)
		}
	}
	if _, err := mb.Receive(); !errors.Is(err, spread.ErrConnectionClosed) {
		t.Fatalf("Receive: %v", err)
	}
	if err := mb.Disconnect(); err != nil {
		t.Fatal(err)
	}
}

// RawMessage accessors agree with the owned decoding.
func TestReceiveRawMatchesReceive(t *testing.T) {
	stream := append(dataFrame("raw"), membFrame(wire.CausedByJoin, goodMembBody())...)
	mb, done := acceptedMock(t, func(m *mock) error { return m.write(stream...) })
	var rm spread.RawMessage
	if err := mb.ReceiveRaw(&rm); err != nil {
		t.Fatal(err)
	}
	if rm.Service != spread.AgreedMess || string(rm.Sender()) != "#a#mock" || rm.NumGroups() != 1 ||
		string(rm.Group(0)) != "g" || rm.MsgType != 9 || string(rm.Data) != "raw" {
		t.Fatalf("raw data: %+v", rm)
	}
	if err := mb.ReceiveRaw(&rm); err != nil {
		t.Fatal(err)
	}
	msg, err := rm.Message()
	if err != nil {
		t.Fatal(err)
	}
	mm := msg.(*spread.MembershipMessage)
	if mm.Cause != spread.CauseJoin || mm.Group != "g" || mm.GroupID.Index != 3 || !bytes.Equal([]byte(mm.Changed[0]), []byte("#bob#mock")) {
		t.Fatalf("membership: %+v", mm)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// RawMessage.Read tells a message that came with a read from one already
// whole in the buffer: two frames in one write arrive with one read.
func TestReceiveRawReportsRead(t *testing.T) {
	mb, done := acceptedMock(t, func(m *mock) error {
		if err := m.write(append(dataFrame("one"), dataFrame("two")...)...); err != nil {
			return err
		}
		return m.write(dataFrame("three")...)
	})
	var rm spread.RawMessage
	for _, want := range []struct {
		data string
		read bool
	}{{"one", true}, {"two", false}, {"three", true}} {
		if err := mb.ReceiveRaw(&rm); err != nil {
			t.Fatal(err)
		}
		if string(rm.Data) != want.data || rm.Read != want.read {
			t.Fatalf("got %q with Read %v, want %q with Read %v", rm.Data, rm.Read, want.data, want.read)
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// The flusher goroutine ends when the daemon goes away, even if the caller
// never calls Disconnect.
func TestNoGoroutineLeftAfterDaemonLoss(t *testing.T) {
	before := runtime.NumGoroutine()
	mb, done := acceptedMock(t, func(m *mock) error { return nil })
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, err := mb.Receive(); !errors.Is(err, spread.ErrConnectionClosed) {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines, %d before the mailbox", runtime.NumGoroutine(), before)
		}
		runtime.Gosched()
	}
}

// A read deadline set by the caller on Conn() makes Receive return a
// timeout; the mailbox stays usable.
func TestReceiveHonoursConnDeadline(t *testing.T) {
	go1 := make(chan struct{})
	mb, done := acceptedMock(t, func(m *mock) error {
		<-go1
		return m.write(dataFrame("late")...)
	})
	if mb.Daemon() != "4803@mock" {
		t.Fatalf("Daemon() = %q", mb.Daemon())
	}
	_ = mb.Conn().SetReadDeadline(time.Now().Add(20 * time.Millisecond))
	_, err := mb.Receive()
	var ne interface{ Timeout() bool }
	if !errors.As(err, &ne) || !ne.Timeout() || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("Receive = %v, want a timeout", err)
	}
	_ = mb.Conn().SetReadDeadline(time.Time{})
	close(go1)
	msg, err := mb.Receive()
	if err != nil || string(msg.(*spread.RegularMessage).Data) != "late" {
		t.Fatalf("after the timeout: %v %v", msg, err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, err := mb.SyscallConn(); err == nil {
		t.Fatal("net.Pipe has no descriptor, SyscallConn must say so")
	}
	if maj, min, pat := spread.Version(); maj != 4 || min != 4 || pat != 0 {
		t.Fatalf("Version = %d.%d.%d", maj, min, pat)
	}
}
