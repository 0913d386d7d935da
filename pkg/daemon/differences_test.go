package daemon

// Every deliberate difference from the real 4.4.0 daemon has a test here
// named TestDifference<Name>; docs/daemon-differences.md lists them.

import (
	"bytes"
	"encoding/binary"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/spgo/spgo/internal/wire"
)

// TestDifferenceJoinNameValidation: the real daemon accepts any JOIN name
// (capture 22_illegal_group_names.txt: 'a b', '#x#y') and overflows a buffer on a name without NUL; we
// kill the session for a JOIN/LEAVE name that is not 1..31 bytes in
// 0x24..0x7e followed by a NUL, or a JOIN/LEAVE without a group.
func TestDifferenceJoinNameValidation(t *testing.T) {
	t.Run("capture22", func(t *testing.T) {
		d := startTest(t)
		r := newReplayer(t, d, loadCapture(t, "22"))
		r.run(51) // everything up to B's JOIN 'a b' replays byte for byte
		r.write("B", r.unitAt(51))
		r.expectClose("B")
	})
	bad := map[string]func(cl *rawClient) []byte{
		"space": func(cl *rawClient) []byte { return cl.appendMsg(nil, wire.JoinMess, []string{"a b"}, 0, nil) },
		"hash":  func(cl *rawClient) []byte { return cl.appendMsg(nil, wire.JoinMess, []string{"#x#y"}, 0, nil) },
		"empty": func(cl *rawClient) []byte { return cl.appendMsg(nil, wire.JoinMess, []string{""}, 0, nil) },
		"8bit":  func(cl *rawClient) []byte { return cl.appendMsg(nil, wire.LeaveMess, []string{"caf\xc3\xa9"}, 0, nil) },
		"noNUL": func(cl *rawClient) []byte {
			b := cl.appendMsg(nil, wire.JoinMess, []string{"x"}, 0, nil)
			copy(b[wire.HeaderSize:], strings.Repeat("n", 32))
			return b
		},
		"noGroup": func(cl *rawClient) []byte { return cl.appendMsg(nil, wire.JoinMess, nil, 0, nil) },
	}
	for name, build := range bad {
		t.Run(name, func(t *testing.T) {
			d := startTest(t)
			w := connect(t, d, "w", true)
			w.join("g")
			w.expectMembership(wire.CausedByJoin, "g", "#w#localhost")
			cl := connect(t, d, "bad", true)
			cl.join("g")
			cl.expectMembership(wire.CausedByJoin, "g", "#bad#localhost", "#w#localhost")
			w.expectMembership(wire.CausedByJoin, "g", "#bad#localhost", "#w#localhost")
			cl.writeRaw(build(cl))
			cl.expectClosed()
			w.expectMembership(wire.CausedByDisconnect, "g", "#w#localhost")
		})
	}
}

// TestDifferenceGroupsPerMessage: the real daemon accepts 44..100 group
// names and delivers the message to nobody (capture 28_groups_per_message.txt); we deliver it. 101
// kills the session in both.
func TestDifferenceGroupsPerMessage(t *testing.T) {
	d := startTest(t)
	r := newReplayer(t, d, loadCapture(t, "28"))
	r.run(33)                            // 43 groups: delivered, byte for byte
	for _, line := range []int{33, 38} { // 44 and 100 groups
		u := r.unitAt(line)
		r.write("A", u)
		r.expectUnit("A", u) // the sender's own private group is listed first
	}
	r.write("A", r.unitAt(43)) // 101 groups: killed
	r.expectClose("A")
}

// TestDifferenceMessageSize: with S = data_len + 32*num_groups the real
// daemon corrupts its heap at 143152 and aborts for 143153..143952; we
// deliver everything the header check allows (S <= 143952) and kill above.
func TestDifferenceMessageSize(t *testing.T) {
	d := startTest(t)
	a := connect(t, d, "a", true)
	b := connect(t, d, "b", true)
	b.join("big")
	b.expectMembership(wire.CausedByJoin, "big", "#b#localhost")
	for _, s := range []int{143151, 143152, 143153, 143600, 143952} {
		data := bytes.Repeat([]byte{byte(s)}, s-32)
		a.send(wire.SafeMess, []string{"big"}, 1, data)
		b.expectData(data)
	}
	a.send(wire.SafeMess, []string{"big"}, 1, make([]byte, 143953-32))
	a.expectClosed()
	b.expectSilence(50 * time.Millisecond)
}

// TestDifferenceHelloSegmentation: the real daemon drops a hello that does
// not arrive in one segment; we read it with a deadline.
func TestDifferenceHelloSegmentation(t *testing.T) {
	d := startTest(t)
	c, err := net.Dial("tcp", d.TCPAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	hello := wire.AppendHello(nil, 1, "split")
	for _, part := range [][]byte{hello[:2], hello[2:3], hello[3:5], hello[5:7], hello[7:]} {
		if _, err := c.Write(part); err != nil {
			t.Fatal(err)
		}
		// The pause is the stimulus: each piece travels on its own.
		time.Sleep(20 * time.Millisecond)
	}
	offer := make([]byte, 6)
	c.SetReadDeadline(time.Now().Add(clientTimeout))
	if _, err := readFull(c, offer); err != nil || !bytes.Equal(offer, []byte("\x05NULL ")) {
		t.Fatalf("offer %q, %v", offer, err)
	}
	choice, _ := wire.AppendAuthChoice(nil, []string{"NULL"})
	c.Write(choice[:40])
	time.Sleep(20 * time.Millisecond) // split choice, rest within choiceGrace
	c.Write(choice[40:])
	acc := make([]byte, 5+len("#split#localhost"))
	if _, err := readFull(c, acc); err != nil || string(acc[5:]) != "#split#localhost" {
		t.Fatalf("accept %q, %v", acc, err)
	}
}

// TestDifferenceHandshakeTimeout: the real daemon keeps a session that
// stalls after its hello forever (slot and name reserved) and waits 1 s
// for a hello while accepting nobody else; we serve handshakes
// concurrently and close any that takes longer than HandshakeTimeout,
// freeing its name.
func TestDifferenceHandshakeTimeout(t *testing.T) {
	d := startTest(t, func(c *Config) { c.HandshakeTimeout = 300 * time.Millisecond })
	silent, err := net.Dial("tcp", d.TCPAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	hold, err := net.Dial("tcp", d.TCPAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer hold.Close()
	hold.Write(wire.AppendHello(nil, 1, "hold"))
	offer := make([]byte, 6)
	hold.SetReadDeadline(time.Now().Add(clientTimeout))
	if _, err := readFull(hold, offer); err != nil {
		t.Fatal(err)
	}
	// While both stall, others connect at once; the held name is taken.
	start := time.Now()
	connect(t, d, "other", true)
	if el := time.Since(start); el > 200*time.Millisecond {
		t.Errorf("connect behind a silent client took %v", el)
	}
	if _, err := tryHandshake(dial(t, d), "hold", true); err == nil || err.Error() != "reject 0xfa" {
		t.Fatalf("second hold: %v, want reject 0xfa", err)
	}
	// Both stalled connections are closed after the timeout ...
	for _, c := range []net.Conn{silent, hold} {
		c.SetReadDeadline(time.Now().Add(clientTimeout))
		if n, err := c.Read(make([]byte, 1)); n != 0 || !isClosed(err) {
			t.Fatalf("stalled handshake not closed: %d %v", n, err)
		}
	}
	// ... and the name is free again.
	connect(t, d, "hold", true)
}

// TestDifferenceClientTypeBits: the real daemon forwards any extra type
// bit, REJECT_MESS and membership bits included (so libspread receivers
// lose stream sync); we kill a session that sends them.
func TestDifferenceClientTypeBits(t *testing.T) {
	for _, extra := range []uint32{wire.RejectMess, wire.CausedByJoin, wire.RegMembMess, wire.TransitionMess} {
		d := startTest(t)
		w := connect(t, d, "w", true)
		w.join("g")
		w.expectMembership(wire.CausedByJoin, "g", "#w#localhost")
		cl := connect(t, d, "x", true)
		cl.writeRaw(cl.appendMsg(nil, wire.AgreedMess|extra, []string{"g"}, 0, []byte("no")))
		cl.expectClosed()
		w.expectSilence(50 * time.Millisecond)
	}
	// Bits the real daemon passes through and we do too.
	d := startTest(t)
	w := connect(t, d, "w", true)
	w.join("g")
	w.expectMembership(wire.CausedByJoin, "g", "#w#localhost")
	cl := connect(t, d, "x", true)
	cl.send(wire.AgreedMess|wire.DropRecv|0x00800000, []string{"g"}, 0, []byte("ok"))
	if m := w.expectData([]byte("ok")); m.Type != wire.AgreedMess|wire.DropRecv|0x00800000 {
		t.Fatalf("type 0x%x", m.Type)
	}
}

// TestDifferenceSingleOrder: the real daemon lets a small RELIABLE message
// overtake an earlier large SAFE one from the same client; we deliver every
// service type in arrival order.
func TestDifferenceSingleOrder(t *testing.T) {
	d := startTest(t)
	a := connect(t, d, "a", true)
	b := connect(t, d, "b", true)
	b.join("o")
	b.expectMembership(wire.CausedByJoin, "o", "#b#localhost")
	big := bytes.Repeat([]byte("B"), 100000)
	var sent [][]byte
	for i := 0; i < 20; i++ {
		body := []byte{byte('s'), byte(i)}
		svc := wire.ReliableMess
		if i%3 == 0 {
			body, svc = append(big[:len(big):len(big)], byte(i)), wire.SafeMess
		}
		a.send(svc, []string{"o"}, 0, body)
		sent = append(sent, body)
	}
	for _, body := range sent {
		b.expectData(body)
	}
}

// TestDifferenceSocketRemovedOnClose: the real daemon leaves /tmp/<port>
// behind (it has chrooted by then); we remove it, and only a socket is
// ever removed.
func TestDifferenceSocketRemovedOnClose(t *testing.T) {
	dir := t.TempDir()
	d, err := Start(Config{Name: "localhost", SocketDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	path := d.UnixPath()
	fi, err := os.Stat(path)
	if err != nil || fi.Mode()&os.ModeSocket == 0 || fi.Mode().Perm() != 0o666 {
		t.Fatalf("socket %s: %v %v", path, fi, err)
	}
	d.Close()
	if _, err := os.Lstat(path); !os.IsNotExist(err) {
		t.Fatalf("socket left behind: %v", err)
	}
}

// TestDifferenceLoopbackDefault: the real daemon listens on all
// interfaces; by default we listen on 127.0.0.1 only.
func TestDifferenceLoopbackDefault(t *testing.T) {
	d, err := Start(Config{NoUnixSocket: true})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if ip := d.TCPAddr().(*net.TCPAddr).IP; !ip.Equal(net.IPv4(127, 0, 0, 1)) {
		t.Fatalf("listening on %v", ip)
	}
}

// TestDifferenceBackPressure: the real daemon throttles all senders when
// its protocol queue reaches 500; we throttle a sender while a receiver
// that is still reading has more than MaxSessionMessages/2 queued, so a
// reader slower than the sender is not killed.
func TestDifferenceBackPressure(t *testing.T) {
	d := startTest(t, func(c *Config) { c.MaxSessionMessages = 100 })
	a := connect(t, d, "fast", false)
	b := connect(t, d, "slow", false)
	b.join("bp")
	waitMembers(t, d, "bp", 1)
	body := make([]byte, 4000)
	const n = 2000
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < n; i++ {
			binary.LittleEndian.PutUint32(body, uint32(i))
			cl := a
			cl.hdr = cl.appendMsg(cl.hdr[:0], wire.AgreedMess, []string{"bp"}, 0, body)
			if _, err := cl.w.Write(cl.hdr); err != nil {
				return
			}
		}
		a.w.Flush()
	}()
	for i := 0; i < n; i++ {
		m := b.recv()
		if got := binary.LittleEndian.Uint32(m.Body); got != uint32(i) {
			t.Fatalf("message %d: got %d", i, got)
		}
		if i%10 == 0 {
			time.Sleep(time.Millisecond) // a reader slower than the sender
		}
	}
	<-done
	if st := d.Stats(); st.Kills != 0 || st.SenderWaits == 0 {
		t.Fatalf("kills %d, sender waits %d: want 0 kills and some waits", st.Kills, st.SenderWaits)
	}
}

// TestDifferenceInventedNameNumber: the real daemon's invented names end
// in its socket descriptor number; ours end in the connection number. Both
// are r<0..9998>-<n>, at most 9 characters and unique.
func TestDifferenceInventedNameNumber(t *testing.T) {
	d := startTest(t)
	seen := map[string]bool{}
	for i := 0; i < 50; i++ {
		cl := connect(t, d, "", true)
		if !inventedRe.MatchString(cl.pgroup) || seen[cl.pgroup] {
			t.Fatalf("invented %q", cl.pgroup)
		}
		priv, _, _ := wire.SplitPrivateGroup([]byte(cl.pgroup))
		if len(priv) > 9 {
			t.Fatalf("invented name %q longer than 9", priv)
		}
		seen[cl.pgroup] = true
	}
}

// TestDifferenceGroupIDProcID: the real daemon puts its configured IPv4
// address in group ids; ours is always 127.0.0.1 (what every capture
// shows), whatever address it listens on, and the time word is the
// daemon's start.
func TestDifferenceGroupIDProcID(t *testing.T) {
	d := startTest(t)
	a := connect(t, d, "a", true)
	a.join("gid")
	m := a.expectMembership(wire.CausedByJoin, "gid", "#a#localhost")
	gid, err := wire.DecodeGroupID(m.Body, binary.LittleEndian)
	if err != nil || gid.ProcID != 0x7f000001 || gid.Time != int32(d.start.Unix()) || gid.Index != 1 {
		t.Fatalf("group id %+v %v", gid, err)
	}
}
