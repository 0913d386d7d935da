package spread_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/spgo/spgo/pkg/daemon/spreadtest"
	"github.com/spgo/spgo/pkg/spread"
)

// These tests run against spreadtest.Daemon(t): the embedded daemon, or a
// real one when SPGO_TEST_DAEMON is set. Names carry a random suffix so
// runs can share a daemon.

func uniq(prefix string) string {
	return fmt.Sprintf("%s%06x", prefix, rand.Uint32()&0xffffff)
}

func connect(t *testing.T, daemonName string, opts ...spread.Option) *spread.Mailbox {
	t.Helper()
	opts = append([]spread.Option{spread.WithName(uniq("t"))}, opts...)
	mb, err := spread.Connect(daemonName, opts...)
	if err != nil {
		t.Fatalf("Connect(%q): %v", daemonName, err)
	}
	t.Cleanup(func() { _ = mb.Disconnect() })
	return mb
}

func recv(t *testing.T, mb *spread.Mailbox) spread.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	msg, err := mb.ReceiveContext(ctx)
	if err != nil {
		t.Fatalf("%s: Receive: %v", mb.PrivateGroup(), err)
	}
	return msg
}

func recvData(t *testing.T, mb *spread.Mailbox) *spread.RegularMessage {
	t.Helper()
	msg := recv(t, mb)
	rm, ok := msg.(*spread.RegularMessage)
	if !ok {
		t.Fatalf("%s: got %T %+v, want a data message", mb.PrivateGroup(), msg, msg)
	}
	return rm
}

func recvMemb(t *testing.T, mb *spread.Mailbox, cause spread.Cause, group string) *spread.MembershipMessage {
	t.Helper()
	msg := recv(t, mb)
	mm, ok := msg.(*spread.MembershipMessage)
	if !ok || mm.Cause != cause || mm.Group != group {
		t.Fatalf("%s: got %T %+v, want %v membership of %q", mb.PrivateGroup(), msg, msg, cause, group)
	}
	return mm
}

// joinAll joins every mailbox to group in order and drains the join
// notices, so that later messages are the ones a test sends.
func joinAll(t *testing.T, group string, mbs ...*spread.Mailbox) {
	t.Helper()
	for i, mb := range mbs {
		if err := mb.Join(group); err != nil {
			t.Fatalf("Join(%q): %v", group, err)
		}
		for _, seen := range mbs[:i+1] {
			mm := recvMemb(t, seen, spread.CauseJoin, group)
			if !slices.Equal(mm.Changed, []string{mb.PrivateGroup()}) {
				t.Fatalf("join of %s: Changed = %q", mb.PrivateGroup(), mm.Changed)
			}
		}
	}
}

func TestIntegrationJoinOwnMembership(t *testing.T) {
	d := spreadtest.Daemon(t)
	a := connect(t, d)
	g := uniq("g")
	if err := a.Join(g); err != nil {
		t.Fatal(err)
	}
	mm := recvMemb(t, a, spread.CauseJoin, g)
	want := []string{a.PrivateGroup()}
	if !slices.Equal(mm.Members, want) || !slices.Equal(mm.Changed, want) || mm.LocalVSSet != 0 ||
		len(mm.VSSets) != 1 || !slices.Equal(mm.VSSets[0], want) || mm.GroupID.Index != 1 {
		t.Fatalf("join membership = %+v", mm)
	}
	if mm.Service != spread.RegMembMess|spread.CausedByJoin || mm.IndexOf(a.PrivateGroup()) != 0 {
		t.Fatalf("service %v index %d", mm.Service, mm.IndexOf(a.PrivateGroup()))
	}
}

func TestIntegrationServiceTypes(t *testing.T) {
	d := spreadtest.Daemon(t)
	a, b := connect(t, d), connect(t, d)
	g := uniq("svc")
	joinAll(t, g, a, b)
	services := []spread.ServiceType{spread.UnreliableMess, spread.ReliableMess, spread.FIFOMess,
		spread.CausalMess, spread.AgreedMess, spread.SafeMess}
	for i, svc := range services {
		mt := int16([]int{258, 4660, 32767, -1, -32768, 8738}[i])
		if err := a.Multicast(svc, g, []byte(svc.String()), mt); err != nil {
			t.Fatalf("Multicast(%v): %v", svc, err)
		}
	}
	if err := a.Flush(); err != nil {
		t.Fatal(err)
	}
	for _, mb := range []*spread.Mailbox{a, b} {
		got := map[spread.ServiceType]*spread.RegularMessage{}
		for range services {
			m := recvData(t, mb)
			got[m.Service] = m
		}
		for i, svc := range services {
			m := got[svc]
			if m == nil {
				t.Fatalf("%s: no %v message", mb.PrivateGroup(), svc)
			}
			mt := int16([]int{258, 4660, 32767, -1, -32768, 8738}[i])
			if m.MsgType != mt || string(m.Data) != svc.String() || m.Sender != a.PrivateGroup() ||
				!slices.Equal(m.Groups, []string{g}) || m.EndianMismatch {
				t.Fatalf("%v: got %+v", svc, m)
			}
		}
	}
}

func TestIntegrationLeaveAndDisconnect(t *testing.T) {
	d := spreadtest.Daemon(t)
	a, b := connect(t, d), connect(t, d)
	g := uniq("lv")
	joinAll(t, g, a, b)
	if err := b.Leave(g); err != nil {
		t.Fatal(err)
	}
	mm := recvMemb(t, a, spread.CauseLeave, g)
	if !slices.Equal(mm.Members, []string{a.PrivateGroup()}) || !slices.Equal(mm.Changed, []string{b.PrivateGroup()}) {
		t.Fatalf("leave seen by a: %+v", mm)
	}
	self := recvMemb(t, b, spread.CauseSelfLeave, g)
	if self.Service != spread.CausedByLeave || len(self.Members) != 0 {
		t.Fatalf("self-leave: %+v", self)
	}

	c, err := spread.Connect(d, spread.WithName(uniq("c")))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Join(g); err != nil {
		t.Fatal(err)
	}
	recvMemb(t, a, spread.CauseJoin, g)
	recvMemb(t, c, spread.CauseJoin, g)
	cpg := c.PrivateGroup()
	if err := c.Disconnect(); err != nil {
		t.Fatal(err)
	}
	if err := c.Disconnect(); err != nil {
		t.Fatalf("second Disconnect: %v", err)
	}
	mm = recvMemb(t, a, spread.CauseDisconnect, g)
	if !slices.Equal(mm.Changed, []string{cpg}) || !slices.Equal(mm.Members, []string{a.PrivateGroup()}) {
		t.Fatalf("disconnect seen by a: %+v", mm)
	}
	if _, err := c.Receive(); !errors.Is(err, spread.ErrDisconnected) || !errors.Is(err, spread.ErrConnectionClosed) {
		t.Fatalf("Receive after Disconnect: %v", err)
	}
	if err := c.Join(g); !errors.Is(err, spread.ErrDisconnected) {
		t.Fatalf("Join after Disconnect: %v", err)
	}
}

func TestIntegrationMultigroup(t *testing.T) {
	d := spreadtest.Daemon(t)
	a, b, c := connect(t, d), connect(t, d), connect(t, d)
	g1, g2, g3 := uniq("m1"), uniq("m2"), uniq("m3")
	joinAll(t, g1, b)
	joinAll(t, g2, c)
	joinAll(t, g3, c)
	groups := []string{g1, g2, g3}
	if err := a.MulticastGroups(spread.AgreedMess, groups, []byte("to-three-groups"), 3); err != nil {
		t.Fatal(err)
	}
	// A marker after it proves c got exactly one copy.
	if err := a.Multicast(spread.AgreedMess, g2, []byte("end"), 4); err != nil {
		t.Fatal(err)
	}
	for _, mb := range []*spread.Mailbox{b, c} {
		m := recvData(t, mb)
		if !slices.Equal(m.Groups, groups) || string(m.Data) != "to-three-groups" || m.MsgType != 3 {
			t.Fatalf("%s got %+v", mb.PrivateGroup(), m)
		}
	}
	if m := recvData(t, c); string(m.Data) != "end" {
		t.Fatalf("c got a second copy: %+v", m)
	}
}

func TestIntegrationPrivateGroupAndSelfDiscard(t *testing.T) {
	d := spreadtest.Daemon(t)
	a, b := connect(t, d), connect(t, d)
	if err := a.Multicast(spread.ReliableMess, b.PrivateGroup(), []byte("hi-b"), 1); err != nil {
		t.Fatal(err)
	}
	if m := recvData(t, b); string(m.Data) != "hi-b" || !slices.Equal(m.Groups, []string{b.PrivateGroup()}) {
		t.Fatalf("unicast: %+v", m)
	}
	g := uniq("sd")
	joinAll(t, g, a, b)
	if err := a.Multicast(spread.AgreedMess|spread.SelfDiscard, g, []byte("not-for-me"), 7); err != nil {
		t.Fatal(err)
	}
	if err := a.Multicast(spread.AgreedMess, a.PrivateGroup(), []byte("to-me"), 8); err != nil {
		t.Fatal(err)
	}
	if m := recvData(t, a); string(m.Data) != "to-me" {
		t.Fatalf("a got its self-discarded message: %+v", m)
	}
	m := recvData(t, b)
	if string(m.Data) != "not-for-me" || m.Service != spread.AgreedMess|spread.SelfDiscard {
		t.Fatalf("b: %+v", m)
	}
}

func TestIntegrationLargeAndEmptyMessages(t *testing.T) {
	d := spreadtest.Daemon(t)
	a := connect(t, d)
	big := make([]byte, spread.MaxMessageLen-spread.MaxGroupName)
	for i := range big {
		big[i] = byte(i)
	}
	if err := a.Multicast(spread.AgreedMess, a.PrivateGroup(), big, 1); err != nil {
		t.Fatal(err)
	}
	if err := a.Multicast(spread.AgreedMess, a.PrivateGroup(), nil, 2); err != nil {
		t.Fatal(err)
	}
	if m := recvData(t, a); !bytes.Equal(m.Data, big) || m.MsgType != 1 {
		t.Fatalf("big message: %d bytes, type %d", len(m.Data), m.MsgType)
	}
	if m := recvData(t, a); len(m.Data) != 0 || m.MsgType != 2 {
		t.Fatalf("empty message: %+v", m)
	}
	tooBig := make([]byte, len(big)+1)
	if err := a.Multicast(spread.AgreedMess, a.PrivateGroup(), tooBig, 1); !errors.Is(err, spread.ErrMessageTooLong) {
		t.Fatalf("oversized: %v", err)
	}
}

func TestIntegrationMembershipOff(t *testing.T) {
	d := spreadtest.Daemon(t)
	a := connect(t, d, spread.WithMembership(false))
	g := uniq("off")
	if err := a.Join(g); err != nil {
		t.Fatal(err)
	}
	if err := a.Multicast(spread.AgreedMess, g, []byte("hello"), 42); err != nil {
		t.Fatal(err)
	}
	if m := recvData(t, a); string(m.Data) != "hello" {
		t.Fatalf("got %+v", m)
	}
}

// waitReadable blocks until the mailbox's socket is readable, using the
// descriptor as select-style code would.
func waitReadable(t *testing.T, mb *spread.Mailbox) {
	t.Helper()
	rc, err := mb.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var perr error
	err = rc.Control(func(fd uintptr) {
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		for {
			var n int
			n, perr = unix.Poll(fds, 10000)
			if perr == unix.EINTR {
				continue
			}
			if perr == nil && n == 0 {
				perr = errors.New("socket not readable within 10s")
			}
			return
		}
	})
	if err != nil || perr != nil {
		t.Fatalf("poll: %v %v", err, perr)
	}
}

func TestIntegrationPoll(t *testing.T) {
	d := spreadtest.Daemon(t)
	a := connect(t, d)
	if n, err := a.Poll(); n != 0 || err != nil {
		t.Fatalf("Poll on an idle mailbox = %d, %v", n, err)
	}
	if err := a.Multicast(spread.FIFOMess, a.PrivateGroup(), []byte("12345"), 1); err != nil {
		t.Fatal(err)
	}
	if err := a.Multicast(spread.FIFOMess, a.PrivateGroup(), []byte("6789"), 2); err != nil {
		t.Fatal(err)
	}
	if err := a.Flush(); err != nil {
		t.Fatal(err)
	}
	want := 2*(48+32) + 9
	for {
		waitReadable(t, a)
		n, err := a.Poll()
		if err != nil {
			t.Fatal(err)
		}
		if n >= want {
			break
		}
	}
	recvData(t, a)
	// The second message is now in the mailbox's own buffer or the socket.
	if n, err := a.Poll(); n != 48+32+4 || err != nil {
		t.Fatalf("Poll after one Receive = %d, %v; want %d", n, err, 48+32+4)
	}
	recvData(t, a)
	if n, err := a.Poll(); n != 0 || err != nil {
		t.Fatalf("Poll when drained = %d, %v", n, err)
	}
}

func TestIntegrationConcurrentMulticast(t *testing.T) {
	d := spreadtest.Daemon(t)
	a, b := connect(t, d), connect(t, d)
	const senders, each = 8, 200
	var wg sync.WaitGroup
	for s := range senders {
		wg.Go(func() {
			for i := range each {
				data := []byte(strconv.Itoa(s) + ":" + strconv.Itoa(i))
				if err := a.Multicast(spread.FIFOMess, b.PrivateGroup(), data, int16(s)); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err := a.Flush(); err != nil {
		t.Fatal(err)
	}
	next := make([]int, senders)
	for range senders * each {
		m := recvData(t, b)
		s := int(m.MsgType)
		if want := strconv.Itoa(s) + ":" + strconv.Itoa(next[s]); string(m.Data) != want {
			t.Fatalf("sender %d: got %q, want %q (per-sender FIFO order)", s, m.Data, want)
		}
		next[s]++
	}
}

func TestIntegrationConnectErrors(t *testing.T) {
	d := spreadtest.Daemon(t)
	a := connect(t, d)
	name := a.PrivateGroup()[1:]
	name = name[:len(name)-len(name[bytes.IndexByte([]byte(name), '#'):])]
	_, err := spread.Connect(d, spread.WithName(name))
	if !errors.Is(err, spread.ErrRejectNotUnique) {
		t.Fatalf("duplicate name: %v", err)
	}
	if want := fmt.Sprintf("private name %q is in use at this daemon; choose another name, or none", name); !strings.Contains(err.Error(), want) {
		t.Fatalf("duplicate name: %v, want it to say %q", err, want)
	}
	if _, err := spread.Connect(d, spread.WithName("eleven-char")); !errors.Is(err, spread.ErrRejectIllegalName) {
		t.Fatalf("long name: %v", err)
	}
	dir := t.TempDir()
	if _, err := spread.Connect("4999", spread.WithSocketDir(dir)); !errors.Is(err, spread.ErrCouldNotConnect) {
		t.Fatalf("no socket: %v", err)
	}
	if _, err := spread.Connect("4913x"); !errors.Is(err, spread.ErrIllegalSpread) {
		t.Fatalf("bad name: %v", err)
	}
	if err := a.Join("#priv"); !errors.Is(err, spread.ErrIllegalGroup) {
		t.Fatalf("join #priv: %v", err)
	}
}

func TestIntegrationDisconnectUnblocksReceive(t *testing.T) {
	d := spreadtest.Daemon(t)
	a := connect(t, d)
	done := make(chan error, 1)
	go func() {
		_, err := a.Receive()
		done <- err
	}()
	// Disconnect whether or not Receive has started to block: either way it
	// must return.
	if err := a.Disconnect(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, spread.ErrDisconnected) {
			t.Fatalf("Receive returned %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Receive still blocked 10s after Disconnect")
	}
}

func TestIntegrationDaemonGoesAway(t *testing.T) {
	if os.Getenv(spreadtest.EnvDaemon) != "" {
		t.Skip("needs to stop the daemon; SPGO_TEST_DAEMON points at a shared daemon this test must not stop")
	}
	dm := spreadtest.Run(t)
	a := connect(t, dm.SpreadName())
	b := connect(t, dm.SpreadName())
	g := uniq("gone")
	joinAll(t, g, a, b)
	done := make(chan error, 1)
	go func() {
		_, err := a.Receive()
		done <- err
	}()
	if err := dm.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.Is(err, spread.ErrConnectionClosed) {
		t.Fatalf("blocked Receive: %v", err)
	}
	if _, err := a.Receive(); !errors.Is(err, spread.ErrConnectionClosed) {
		t.Fatalf("second Receive: %v", err)
	}
	if err := a.Multicast(spread.AgreedMess, g, []byte("x"), 1); !errors.Is(err, spread.ErrConnectionClosed) {
		t.Fatalf("Multicast: %v", err)
	}
	if err := a.Join(g); !errors.Is(err, spread.ErrConnectionClosed) {
		t.Fatalf("Join: %v", err)
	}
	if _, err := a.Poll(); !errors.Is(err, spread.ErrConnectionClosed) {
		t.Fatalf("Poll: %v", err)
	}
	// b never read: its first calls may still find the socket open, but a
	// Receive must see the close, and everything after it fails.
	if _, err := b.Receive(); !errors.Is(err, spread.ErrConnectionClosed) {
		t.Fatalf("b Receive: %v", err)
	}
	if err := b.Leave(g); !errors.Is(err, spread.ErrConnectionClosed) {
		t.Fatalf("b Leave: %v", err)
	}
	if err := a.Disconnect(); err != nil {
		t.Fatalf("Disconnect after loss: %v", err)
	}
}

func TestIntegrationUnixSocket(t *testing.T) {
	if os.Getenv(spreadtest.EnvDaemon) != "" {
		t.Skip("needs the embedded daemon's socket directory")
	}
	dm := spreadtest.Run(t)
	if dm.UnixPath() == "" {
		t.Skip("embedded daemon has no unix socket")
	}
	dir, port := filepath.Split(dm.UnixPath())
	a := connect(t, port, spread.WithSocketDir(filepath.Clean(dir)))
	if err := a.Multicast(spread.SafeMess, a.PrivateGroup(), []byte("over unix"), 5); err != nil {
		t.Fatal(err)
	}
	if m := recvData(t, a); string(m.Data) != "over unix" {
		t.Fatalf("got %+v", m)
	}
}

func TestIntegrationInventedNameAndPriority(t *testing.T) {
	d := spreadtest.Daemon(t)
	a, err := spread.Connect(d, spread.WithPriority(spread.HighPriority))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Disconnect()
	pg := a.PrivateGroup()
	if !regexp.MustCompile(`^#r\d+-\d+#`).MatchString(pg) {
		t.Fatalf("daemon-invented private group %q", pg)
	}
	if err := a.Multicast(spread.CausalMess, pg, []byte("me"), -7); err != nil {
		t.Fatal(err)
	}
	if m := recvData(t, a); m.Sender != pg || m.MsgType != -7 {
		t.Fatalf("got %+v", m)
	}
}

// Disconnect in the middle of concurrent sending and receiving: every call
// returns (a success or a CONNECTION_CLOSED error), nothing panics or hangs.
func TestIntegrationDisconnectUnderLoad(t *testing.T) {
	d := spreadtest.Daemon(t)
	a := connect(t, d)
	var wg sync.WaitGroup
	sent := make(chan struct{}, 1)
	for range 4 {
		wg.Go(func() {
			for {
				err := a.Multicast(spread.ReliableMess, a.PrivateGroup(), make([]byte, 100), 0)
				if err != nil {
					if !errors.Is(err, spread.ErrConnectionClosed) {
						t.Errorf("Multicast: %v", err)
					}
					return
				}
				select {
				case sent <- struct{}{}:
				default:
				}
			}
		})
	}
	wg.Go(func() {
		for {
			if _, err := a.Receive(); err != nil {
				if !errors.Is(err, spread.ErrDisconnected) {
					t.Errorf("Receive: %v", err)
				}
				return
			}
		}
	})
	<-sent
	if err := a.Disconnect(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
}

// TestReceiveContextDeadlineReportedByCtx: when ReceiveContext ends with
// ctx's deadline, ctx.Err() already says so, however close the socket's
// deadline and ctx's timer fall.
func TestReceiveContextDeadlineReportedByCtx(t *testing.T) {
	mb := connect(t, spreadtest.Daemon(t))
	for range 20 {
		ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
		_, err := mb.ReceiveContext(ctx)
		ctxErr := ctx.Err()
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) || ctxErr == nil {
			t.Fatalf("ReceiveContext: %v, then ctx.Err() %v", err, ctxErr)
		}
	}
}
