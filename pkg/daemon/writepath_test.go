package daemon

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net"
	"sync"
	"testing"

	"github.com/spgo/spgo/internal/wire"
)

// writePathBody is message i of sender s: its id, then a fill that names
// it, so that bytes of one message showing up in another (a chunk or a
// shared copy reused while still queued) are caught. Every third message
// is large enough to be shared across recipients' queues.
func writePathBody(s, i int) []byte {
	size := 200 + i%7*100
	if i%3 == 0 {
		size = shareMin + i%5*9000
	}
	b := bytes.Repeat([]byte{byte(s*53 + i)}, size)
	binary.LittleEndian.PutUint32(b, uint32(s<<24|i))
	return b
}

// TestWritePathEveryMessageOnceInOrder: several senders flood one group
// with small and shared large messages; among the receivers are fast
// ones, one that reads 512 bytes a call (its socket fills: in-place
// writes stop halfway through a chunk, the writer goroutine takes over,
// the senders are throttled), one that stops
// reading (killed at MaxSessionMessages with shared frames queued) and
// one that vanishes mid-flood (writes fail). Every remaining receiver
// gets every message exactly once, intact, each sender's in order and all
// in one order.
func TestWritePathEveryMessageOnceInOrder(t *testing.T) {
	const limit = 300
	d := startTest(t, func(c *Config) { c.MaxSessionMessages = limit })
	const senders, perSender = 3, 300
	fast := []*rawClient{connect(t, d, "fast1", false), connect(t, d, "fast2", false)}
	tiny := connect(t, d, "tiny", false)
	tiny.r.Reset(smallReads{tiny.c})
	stall := connect(t, d, "stall", false)
	vanish := connect(t, d, "vanish", false)
	receivers := append(fast, tiny)
	for _, cl := range append(receivers, stall, vanish) {
		cl.join("g")
	}
	waitMembers(t, d, "g", 5)

	var wg sync.WaitGroup
	for s := 0; s < senders; s++ {
		cl := connect(t, d, fmt.Sprintf("s%d", s), false)
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf []byte
			for i := 0; i < perSender; i++ {
				buf = cl.appendMsg(buf[:0], wire.FIFOMess, []string{"g"}, 0, writePathBody(s, i))
				if _, err := cl.c.Write(buf); err != nil {
					t.Errorf("sender %d: %v", s, err)
					return
				}
			}
		}()
	}
	// vanish reads a little, then resets its connection mid-flood.
	go func() {
		for i := 0; i < 20; i++ {
			if _, err := vanish.tryRecv(clientTimeout); err != nil {
				break
			}
		}
		vanish.c.(*net.TCPConn).SetLinger(0)
		vanish.c.Close()
	}()

	orders := make([][]uint32, len(receivers))
	var rwg sync.WaitGroup
	for k, cl := range receivers {
		rwg.Add(1)
		go func() {
			defer rwg.Done()
			next := make([]int, senders)
			for len(orders[k]) < senders*perSender {
				m, err := cl.tryRecv(clientTimeout)
				if err != nil {
					t.Errorf("%s: after %d messages: %v (stats %+v)", cl.pgroup, len(orders[k]), err, d.Stats())
					return
				}
				if m.Type&wire.RegularMess == 0 {
					continue
				}
				id := binary.LittleEndian.Uint32(m.Body)
				s, i := int(id>>24), int(id&0xffffff)
				if s >= senders || i != next[s] {
					t.Errorf("%s: got message %d of sender %d, want %d", cl.pgroup, i, s, next[min(s, senders-1)])
					return
				}
				if want := writePathBody(s, i); !bytes.Equal(m.Body, want) {
					t.Errorf("%s: message %d of sender %d: %d bytes differ from the %d sent", cl.pgroup, i, s, len(m.Body), len(want))
					return
				}
				next[s]++
				orders[k] = append(orders[k], id)
			}
		}()
	}
	wg.Wait()
	rwg.Wait()
	if t.Failed() {
		return
	}
	stall.expectClosed()
	for k := 1; k < len(orders); k++ {
		for i := range orders[0] {
			if orders[k][i] != orders[0][i] {
				t.Fatalf("%s and %s differ at message %d", receivers[0].pgroup, receivers[k].pgroup, i)
			}
		}
	}
	if st := d.Stats(); st.Kills != 1 {
		t.Fatalf("kills %d, want 1 (the stalled reader): %+v", st.Kills, st)
	}
}

// smallReads reads at most 512 bytes a call.
type smallReads struct{ c net.Conn }

func (r smallReads) Read(b []byte) (int, error) { return r.c.Read(b[:min(len(b), 512)]) }

// TestWritePathWideFanout: more recipients than one reader writes in
// place (maxInPlace), some of them ending mid-stream, receive large
// shared and small messages; every remaining one gets all, intact, in
// order.
func TestWritePathWideFanout(t *testing.T) {
	d := startTest(t)
	const receivers, msgs = maxInPlace + 10, 60
	var cls []*rawClient
	for k := 0; k < receivers; k++ {
		cl := connect(t, d, fmt.Sprintf("r%d", k), false)
		cl.join("g")
		cls = append(cls, cl)
	}
	waitMembers(t, d, "g", receivers)
	snd := connect(t, d, "snd", false)
	go func() {
		var buf []byte
		for i := 0; i < msgs; i++ {
			buf = snd.appendMsg(buf[:0], wire.AgreedMess, []string{"g"}, 0, writePathBody(0, i))
			if _, err := snd.c.Write(buf); err != nil {
				t.Errorf("sender: %v", err)
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for k, cl := range cls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < msgs; i++ {
				if k%9 == 0 && i == k%msgs {
					cl.c.Close() // gone mid-stream: its queue is dropped
					return
				}
				m, err := cl.tryRecv(clientTimeout)
				if err != nil {
					t.Errorf("%s: message %d: %v", cl.pgroup, i, err)
					return
				}
				if want := writePathBody(0, i); !bytes.Equal(m.Body, want) {
					id := uint32(0xffffffff)
					if len(m.Body) >= 4 {
						id = binary.LittleEndian.Uint32(m.Body)
					}
					t.Errorf("%s: message %d: got %d bytes (id %x), want %d bytes", cl.pgroup, i, len(m.Body), id, len(want))
					return
				}
			}
		}()
	}
	wg.Wait()
}
