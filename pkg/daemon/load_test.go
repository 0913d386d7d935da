package daemon

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/spgo/spgo/internal/wire"
)

// TestLoadManySessions: 2000 sessions (MaxSessions raised) in 50 groups,
// 20 senders flooding every group while 100 sessions join and leave
// groups: no session is killed, every static member gets every message of
// its group, and everything is gone after the clients leave.
func TestLoadManySessions(t *testing.T) {
	n, groups, senders, perSender, churners := 2000, 50, 20, 300, 100
	if raceEnabled {
		senders, perSender, churners = 10, 100, 20
	}
	if testing.Short() {
		n, senders, churners = 400, 10, 20
	}
	d := startTest(t, func(c *Config) {
		c.MaxSessions = n + senders + churners
	})
	start := time.Now()
	clients := make([]*rawClient, n)
	var wg sync.WaitGroup
	work := make(chan int)
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				c, err := dialConn(d)
				if err != nil {
					t.Error(err)
					continue
				}
				cl, err := tryHandshake(c, fmt.Sprintf("m%d", i), true)
				if err != nil {
					t.Errorf("session %d: %v", i, err)
					c.Close()
					continue
				}
				cl.t = t
				clients[i] = cl
			}
		}()
	}
	for i := 0; i < n; i++ {
		work <- i
	}
	close(work)
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	t.Cleanup(func() {
		for _, cl := range clients {
			cl.c.Close()
		}
	})
	connected := time.Since(start)

	// Every member counts the data of its group and reads until closed.
	want := senders * perSender / groups
	var got atomic.Int64
	var rwg sync.WaitGroup
	for i, cl := range clients {
		rwg.Add(1)
		go func() {
			cl.join(fmt.Sprintf("g%d", i%groups))
			for k := 0; ; {
				m, err := cl.tryRecv(time.Minute)
				if err != nil {
					if k < want {
						t.Errorf("%s: after %d of %d: %v", cl.pgroup, k, want, err)
						rwg.Done()
					}
					return
				}
				if m.Type&wire.RegularMess != 0 {
					k++
					got.Add(1)
					if k == want {
						rwg.Done()
					}
				}
			}
		}()
	}
	waitStats(t, d, func(s Stats) bool { return s.Groups == groups && s.MessagesIn >= uint64(n) })

	// Churners join and leave while the senders flood, each waiting for
	// its own membership message (as spuser does) before the next request.
	stop := make(chan struct{})
	var cwg sync.WaitGroup
	for c := 0; c < churners; c++ {
		cl := connect(t, d, fmt.Sprintf("c%d", c), true)
		cwg.Add(1)
		go func() {
			defer cwg.Done()
			for {
				select {
				case <-stop:
					cl.kill()
					return
				default:
				}
				g := fmt.Sprintf("g%d", rand.IntN(groups))
				if cl.sendErr(wire.JoinMess, g) != nil || !cl.readUntil(wire.RegMembMess|wire.CausedByJoin, g) ||
					cl.sendErr(wire.LeaveMess, g) != nil || !cl.readUntil(wire.CausedByLeave, g) {
					t.Errorf("churner %s lost its connection", cl.pgroup)
					return
				}
			}
		}()
	}
	flood := time.Now()
	var swg sync.WaitGroup
	for s := 0; s < senders; s++ {
		cl := connect(t, d, fmt.Sprintf("s%d", s), false)
		swg.Add(1)
		go func() {
			defer swg.Done()
			body := make([]byte, 1000)
			var buf []byte
			for i := 0; i < perSender; i++ {
				buf = cl.appendMsg(buf[:0], wire.AgreedMess, []string{fmt.Sprintf("g%d", i%groups)}, 0, body)
				if _, err := cl.w.Write(buf); err != nil {
					t.Error(err)
					return
				}
			}
			cl.w.Flush()
		}()
	}
	swg.Wait()
	rwg.Wait()
	close(stop)
	cwg.Wait()
	el := time.Since(flood)
	st := d.Stats()
	t.Logf("%d sessions connected in %v; %d deliveries to static members in %v; stats %+v",
		n, connected, got.Load(), el, st)
	if st.Kills != 0 {
		t.Fatalf("%d sessions killed", st.Kills)
	}
	if got.Load() != int64(n*want) {
		t.Fatalf("delivered %d, want %d", got.Load(), n*want)
	}
	for _, cl := range clients {
		cl.c.Close()
	}
	waitStats(t, d, func(s Stats) bool { return s.Sessions == senders && s.Groups == 0 })
}

func dialConn(d *Daemon) (net.Conn, error) { return net.Dial("tcp", d.TCPAddr().String()) }

// BenchmarkDaemonIdleSessionMemory connects 1000 idle sessions and reports
// the heap and stack growth per session (daemon side plus a bare client
// connection). It measures once, whatever b.N (so that a -benchtime
// meant for the throughput benchmarks does not make it run for hours).
func BenchmarkDaemonIdleSessionMemory(b *testing.B) {
	const n = 1000
	d, err := Start(Config{Name: "localhost", NoUnixSocket: true, MaxSessions: n + 1})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	conns := make([]net.Conn, 0, n)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for i := 0; i < n; i++ {
		c, err := dialConn(d)
		if err != nil {
			b.Fatal(err)
		}
		conns = append(conns, c)
		if err := bareHandshake(c, fmt.Sprintf("i%d", i)); err != nil {
			b.Fatal(err)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	for range b.N {
	}
	b.ReportMetric(float64(after.HeapInuse+after.StackInuse-before.HeapInuse-before.StackInuse)/n, "B/session")
}

// bareHandshake connects without keeping any client buffer.
func bareHandshake(c net.Conn, name string) error {
	c.SetDeadline(time.Now().Add(clientTimeout))
	defer c.SetDeadline(time.Time{})
	c.Write(wire.AppendHello(nil, 1, name))
	offer := make([]byte, 6)
	if _, err := io.ReadFull(c, offer); err != nil {
		return err
	}
	choice, _ := wire.AppendAuthChoice(nil, []string{"NULL"})
	c.Write(choice)
	acc := make([]byte, 5+2+len(name)+len("localhost"))
	_, err := io.ReadFull(c, acc)
	return err
}

// sendErr sends a join or leave and returns the error instead of failing.
func (cl *rawClient) sendErr(typ uint32, group string) error {
	cl.hdr = cl.appendMsg(cl.hdr[:0], typ, []string{group}, 0, nil)
	_, err := cl.c.Write(cl.hdr)
	return err
}

// readUntil reads until a message of type typ about group whose changed
// member (for membership) is this client; false on a read error.
func (cl *rawClient) readUntil(typ uint32, group string) bool {
	for {
		m, err := cl.tryRecv(time.Minute)
		if err != nil {
			return false
		}
		if m.Type != typ || m.Sender.String() != group {
			continue
		}
		if typ&wire.RegMembMess == 0 {
			return true
		}
		if body, err := wire.DecodeMembershipBody(m.Body, m.ByteOrder()); err == nil &&
			len(body.VSSets) == 1 && len(body.VSSets[0]) == 1 && body.VSSets[0][0].String() == cl.pgroup {
			return true
		}
	}
}
