package daemon

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"testing"
	"time"

	"github.com/spgo/spgo/internal/wire"
)

// TestGroupLifecycle: a group vanishes when its last member leaves or
// disconnects, and its index restarts at 1 when it is created again
// (docs/protocol.md §7.2).
func TestGroupLifecycle(t *testing.T) {
	d := startTest(t)
	a := connect(t, d, "a", true)
	b := connect(t, d, "b", true)
	index := func(m msg) int32 {
		gid, _ := wire.DecodeGroupID(m.Body, binary.LittleEndian)
		return gid.Index
	}
	a.join("life")
	if i := index(a.expectMembership(wire.CausedByJoin, "life", "#a#localhost")); i != 1 {
		t.Fatalf("first index %d", i)
	}
	b.join("life")
	b.expectMembership(wire.CausedByJoin, "life", "#a#localhost", "#b#localhost")
	if i := index(a.expectMembership(wire.CausedByJoin, "life", "#a#localhost", "#b#localhost")); i != 2 {
		t.Fatalf("second index %d", i)
	}
	b.leave("life")
	if m := b.recv(); m.Type != wire.CausedByLeave || len(m.raw) != wire.HeaderSize {
		t.Fatalf("self-leave %x", m.raw)
	}
	if i := index(a.expectMembership(wire.CausedByLeave, "life", "#a#localhost")); i != 3 {
		t.Fatalf("leave index %d", i)
	}
	a.leave("life")
	a.recv() // self-leave
	waitStats(t, d, func(s Stats) bool { return s.Groups == 0 })
	b.join("life")
	if i := index(b.expectMembership(wire.CausedByJoin, "life", "#b#localhost")); i != 1 {
		t.Fatalf("re-created index %d", i)
	}
	// Double join and leave of a non-member are silently ignored.
	b.join("life")
	a.leave("life")
	b.send(wire.AgreedMess, []string{"life"}, 0, []byte("after"))
	b.expectData([]byte("after"))
}

// TestDeliveryRules: one copy per recipient, the group list as written
// (duplicates and bytes after the NUL included), private groups of
// membership-off sessions, SELF_DISCARD whatever name matched the sender.
func TestDeliveryRules(t *testing.T) {
	d := startTest(t)
	a := connect(t, d, "a", true)
	off := connect(t, d, "off", false) // no membership messages, still data
	a.join("g")
	a.expectMembership(wire.CausedByJoin, "g", "#a#localhost")
	off.join("g")
	a.expectMembership(wire.CausedByJoin, "g", "#a#localhost", "#off#localhost")

	frame := a.appendMsg(nil, wire.FIFOMess, []string{"g", "g", "#off#localhost", "#a#localhost", "#zz#localhost", "#off#other"}, 300, []byte("once"))
	copy(frame[wire.HeaderSize+2:wire.HeaderSize+32], "\x00garbage after the NUL") // still group "g"
	a.writeRaw(frame)
	for _, cl := range []*rawClient{a, off} {
		if m := cl.recv(); !bytes.Equal(m.raw, frame) {
			t.Fatalf("%s got\n%x\nwant the sender's bytes\n%x", cl.pgroup, m.raw, frame)
		}
	}
	// SELF_DISCARD removes the sender even when it names itself.
	a.send(wire.CausalMess|wire.SelfDiscard, []string{"#a#localhost", "g"}, 0, []byte("not me"))
	if m := off.expectData([]byte("not me")); m.Type != wire.CausalMess|wire.SelfDiscard {
		t.Fatalf("type 0x%x", m.Type)
	}
	// Unicast to a membership-off session, and sends nobody gets.
	a.send(wire.UnreliableMess, []string{"#off#localhost"}, 0, []byte("direct"))
	off.expectData([]byte("direct"))
	a.send(wire.ReliableMess, []string{"empty"}, 0, []byte("lost"))
	a.send(wire.ReliableMess, nil, 0, []byte("no groups"))
	a.send(wire.ReliableMess, []string{"#a#localhost"}, 0, []byte("mine"))
	a.expectData([]byte("mine"))
	off.expectSilence(20 * time.Millisecond)
}

// TestFanOutBeyondInPlace: a message to more recipients than its reader
// writes to in place (maxInPlace) reaches every one, the rest through
// their writers.
func TestFanOutBeyondInPlace(t *testing.T) {
	d := startTest(t)
	n := maxInPlace + 6
	rcvs := make([]*rawClient, n)
	for i := range rcvs {
		rcvs[i] = connect(t, d, fmt.Sprintf("r%d", i), false)
		rcvs[i].join("wide")
	}
	waitMembers(t, d, "wide", n)
	snd := connect(t, d, "snd", false)
	for k := 0; k < 3; k++ {
		snd.send(wire.AgreedMess, []string{"wide"}, int16(k), []byte{byte(k)})
	}
	for i, r := range rcvs {
		for k := 0; k < 3; k++ {
			m := r.recv()
			if m.Type&wire.AgreedMess == 0 || len(m.Body) != 1 || m.Body[0] != byte(k) {
				t.Fatalf("receiver %d, message %d: type 0x%x body %v", i, k, m.Type, m.Body)
			}
		}
	}
}

// TestLargeFanOutBytesIntact: large messages (queued as one shared copy)
// reach every receiver whole and in order, while the receivers read at
// their own pace and the daemon's writes to them are partial.
func TestLargeFanOutBytesIntact(t *testing.T) {
	d := startTest(t)
	const receivers, n, size = 4, 40, 100_000
	rcvs := make([]*rawClient, receivers)
	for i := range rcvs {
		rcvs[i] = connect(t, d, fmt.Sprintf("big%d", i), false)
		rcvs[i].join("big")
	}
	waitMembers(t, d, "big", receivers)
	snd := connect(t, d, "snd", false)
	body := func(k int) []byte { return bytes.Repeat([]byte{byte(k), byte(k * 7)}, size/2) }
	go func() {
		for k := 0; k < n; k++ {
			snd.send(wire.AgreedMess, []string{"big"}, 0, body(k))
		}
	}()
	errs := make(chan error, receivers)
	for i, r := range rcvs {
		go func() {
			for k := 0; k < n; k++ {
				m, err := r.tryRecv(clientTimeout)
				if err != nil {
					errs <- fmt.Errorf("receiver %d, message %d: %v", i, k, err)
					return
				}
				if !bytes.Equal(m.Body, body(k)) {
					errs <- fmt.Errorf("receiver %d, message %d: %d bytes, not the %d sent", i, k, len(m.Body), size)
					return
				}
				if i == 0 && k%8 == 0 {
					time.Sleep(time.Millisecond) // one receiver slower than the others
				}
			}
			errs <- nil
		}()
	}
	for range rcvs {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
