package daemon

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/spgo/spgo/internal/capture"
	"github.com/spgo/spgo/internal/wire"
)

// replayTimeout bounds every read of an expected unit.
const replayTimeout = 5 * time.Second

// expectation is one thing a connection must see next: a unit or the
// daemon's close.
type expectation struct {
	unit  []byte
	close bool
	line  int
}

// replayer drives a daemon with the client side of a capture: it writes
// the C>D units in file order and, before each, reads every D>C unit the
// file shows before it on every connection (the daemon sends all
// consequences of a request before it handles the next, so this is
// deterministic).
type replayer struct {
	t       testing.TB
	d       *Daemon
	f       *capture.File
	conns   map[string]net.Conn
	expect  map[string][]expectation
	order   []string          // connection labels in order of appearance
	written map[string]int64  // bytes written per connection
	renames map[string]string // invented private groups: captured -> ours
	unix    bool              // dial the Unix socket instead of TCP
	// compared counts the recorded daemon units and closes checked, so
	// that a replay that compared nothing cannot pass.
	compared int

	// A ring replay (ring_replay_test.go): the node each connection talks
	// to, faults to apply before the event on a line, and the group-id
	// times seen so far (captured -> ours), which must correspond one to one.
	nodes  map[string]*Daemon
	faults map[int]func()
	times  map[uint32]uint32
	skip   map[int]bool // C>D units a test writes itself, in its own order
}

// node is the daemon connection conn talks to.
func (r *replayer) node(conn string) *Daemon {
	if d := r.nodes[conn]; d != nil {
		return d
	}
	return r.d
}

func newReplayer(t testing.TB, d *Daemon, f *capture.File) *replayer {
	return &replayer{t: t, d: d, f: f, conns: map[string]net.Conn{},
		expect: map[string][]expectation{}, renames: map[string]string{}, written: map[string]int64{}}
}

func loadCapture(t testing.TB, name string) *capture.File {
	t.Helper()
	paths, _ := filepath.Glob(filepath.Join(capture.Dir(), name+"*.txt"))
	if len(paths) != 1 {
		t.Fatalf("capture %s: found %v", name, paths)
	}
	f, err := capture.Read(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// run replays the events before line stop (0: all) and checks every
// expectation gathered so far. It fails when a fault meant for a line it
// replayed never ran (no event on that line) or when the replayed part
// holds no daemon unit to compare.
func (r *replayer) run(stop int) {
	r.t.Helper()
	r.replay(stop)
	for line := range r.faults {
		if stop == 0 || line < stop {
			r.t.Fatalf("%s: the fault before line %d never ran: no event on that line", r.f.Name, line)
		}
	}
	if want := r.daemonUnits(stop); r.compared != want || want == 0 {
		r.t.Fatalf("%s: %d recorded daemon units and closes compared, the capture has %d before line %d", r.f.Name, r.compared, want, stop)
	}
}

// daemonUnits counts the D>C units and daemon closes before line stop (0:
// all): what a replay up to there compares.
func (r *replayer) daemonUnits(stop int) int {
	n := 0
	for _, e := range r.f.Events {
		if stop > 0 && e.Line >= stop {
			break
		}
		if (e.Kind == capture.Unit && e.Dir == capture.DaemonToClient) || (e.Kind == capture.Close && e.By == "D") {
			n++
		}
	}
	return n
}

// replay writes the client side of the events before line stop (0: all),
// applying each fault before its line, and checks every expectation.
func (r *replayer) replay(stop int) {
	r.t.Helper()
	ev := r.f.Events
	for i := 0; i < len(ev); i++ {
		e := ev[i]
		if stop > 0 && e.Line >= stop {
			break
		}
		if f := r.faults[e.Line]; f != nil {
			delete(r.faults, e.Line)
			r.drain()
			f()
		}
		switch {
		case e.Kind == capture.Open:
			network, addr := "tcp", r.node(e.Conn).TCPAddr().String()
			if r.unix {
				network, addr = "unix", r.node(e.Conn).UnixPath()
			}
			c, err := net.Dial(network, addr)
			if err != nil {
				r.t.Fatalf("line %d: dial: %v", e.Line, err)
			}
			r.conns[e.Conn] = c
			r.order = append(r.order, e.Conn)
			r.waitFor(e.Conn, func(_ int64, found bool) bool { return found })
		case e.Kind == capture.Unit && e.Dir == capture.DaemonToClient:
			r.expect[e.Conn] = append(r.expect[e.Conn], expectation{unit: e.Payload, line: e.Line})
		case e.Kind == capture.Close && e.By == "D":
			r.expect[e.Conn] = append(r.expect[e.Conn], expectation{close: true, line: e.Line})
		case e.Kind == capture.Close && e.By == "C":
			r.drain()
			if r.readsAfter(i, e.Conn) {
				// The recording proxy kept reading after the client's
				// close (capture 27_spflooder.txt): close our sending side only.
				r.conns[e.Conn].(interface{ CloseWrite() error }).CloseWrite()
			} else {
				r.conns[e.Conn].Close()
			}
			r.waitFor(e.Conn, func(_ int64, found bool) bool { return !found })
		case e.Kind == capture.Unit && e.Dir == capture.ClientToDaemon && r.skip[e.Line]:
		case e.Kind == capture.Unit && e.Dir == capture.ClientToDaemon:
			r.drain()
			// Adjacent C>D units of one connection travelled together.
			buf := append([]byte(nil), e.Payload...)
			for i+1 < len(ev) && ev[i+1].Kind == capture.Unit && ev[i+1].Conn == e.Conn &&
				ev[i+1].Dir == capture.ClientToDaemon && (stop == 0 || ev[i+1].Line < stop) && !r.skip[ev[i+1].Line] {
				i++
				buf = append(buf, ev[i].Payload...)
			}
			r.write(e.Conn, buf)
		}
	}
	r.drain()
}

// write sends bytes as the client; a daemon that has already closed the
// connection may make this fail, which the expectations then show.
func (r *replayer) write(conn string, b []byte) {
	b = r.rename(b)
	c := r.conns[conn]
	c.SetWriteDeadline(time.Now().Add(replayTimeout))
	n, _ := c.Write(b)
	r.written[conn] += int64(n)
	// Wait until the daemon has applied it (or ended the session), as the
	// recording paused between requests.
	want := r.written[conn]
	r.waitFor(conn, func(consumed int64, found bool) bool { return !found || consumed >= want })
}

// readsAfter reports whether the capture shows conn receiving after event i.
func (r *replayer) readsAfter(i int, conn string) bool {
	for _, e := range r.f.Events[i+1:] {
		if e.Conn == conn && e.Kind == capture.Unit && e.Dir == capture.DaemonToClient {
			return true
		}
	}
	return false
}

// waitFor waits until cond holds for the session of conn, looking again
// at each change of the daemon's state (its read progress included).
func (r *replayer) waitFor(conn string, cond func(consumed int64, found bool) bool) {
	r.t.Helper()
	if r.unix {
		return // Unix peers have no address to find them by: only synchronous captures
	}
	addr := r.conns[conn].LocalAddr().String()
	d := r.node(conn)
	if !waitUntil(d, replayTimeout, func() bool { return cond(d.progressOf(addr)) }) {
		r.t.Fatalf("%s: %s: daemon did not catch up", r.f.Name, conn)
	}
}

// drain reads every pending expectation of every connection.
func (r *replayer) drain() {
	r.t.Helper()
	for _, conn := range r.order {
		for _, x := range r.expect[conn] {
			r.check(conn, x)
			r.compared++
		}
		r.expect[conn] = nil
	}
}

func (r *replayer) check(conn string, x expectation) {
	r.t.Helper()
	c := r.conns[conn]
	c.SetReadDeadline(time.Now().Add(replayTimeout))
	if x.close {
		var one [1]byte
		n, err := c.Read(one[:])
		if n != 0 || !isClosed(err) {
			r.t.Fatalf("%s line %d: %s: want the daemon to close, got %d bytes %x err %v", r.f.Name, x.line, conn, n, one[:n], err)
		}
		return
	}
	if isInventedUnit(x.unit) {
		r.learnName(conn, x)
		return
	}
	want := r.rename(x.unit)
	got := make([]byte, len(want))
	if _, err := io.ReadFull(c, got); err != nil {
		r.t.Fatalf("%s line %d: %s: reading %d-byte unit: %v", r.f.Name, x.line, conn, len(want), err)
	}
	if r.times != nil {
		r.mapTime(x.line, want, got)
	}
	capture.MaskTime(want)
	capture.MaskTime(got)
	if !bytes.Equal(want, got) {
		r.t.Fatalf("%s line %d: %s: unit differs\nwant %x\n got %x", r.f.Name, x.line, conn, want, got)
	}
}

// isClosed accepts an orderly close or a reset (the daemon closed with
// unread input), not a timeout.
func isClosed(err error) bool {
	return err != nil && !errors.Is(err, os.ErrDeadlineExceeded)
}

var inventedRe = regexp.MustCompile(`^#r[0-9]+-[0-9]+#localhost$`)

// isInventedUnit reports the private-group unit of an accept whose name
// the daemon invented (capture 03_connect_empty_name.txt).
func isInventedUnit(u []byte) bool {
	return len(u) >= 2 && int(u[0]) == len(u)-1 && inventedRe.Match(u[1:])
}

// learnName reads our accept's private group, checks the form
// r<digits>-<digits> (at most 9 characters) and records it for rename.
func (r *replayer) learnName(conn string, x expectation) {
	r.t.Helper()
	c := r.conns[conn]
	var m [1]byte
	if _, err := io.ReadFull(c, m[:]); err != nil {
		r.t.Fatalf("%s line %d: %s: %v", r.f.Name, x.line, conn, err)
	}
	got := make([]byte, m[0])
	if _, err := io.ReadFull(c, got); err != nil {
		r.t.Fatalf("%s line %d: %s: %v", r.f.Name, x.line, conn, err)
	}
	if !inventedRe.Match(got) {
		r.t.Fatalf("%s line %d: %s: invented private group %q, want #r<digits>-<digits>#localhost", r.f.Name, x.line, conn, got)
	}
	priv, _, _ := wire.SplitPrivateGroup(got)
	if len(priv) > 9 {
		r.t.Fatalf("%s line %d: invented name %q longer than 9", r.f.Name, x.line, priv)
	}
	r.renames[string(x.unit[1:])] = string(got)
}

// rename replaces captured invented private groups by ours in 32-byte
// name fields.
func (r *replayer) rename(b []byte) []byte { return capture.Renames(r.renames).Apply(b) }

// mapTime checks that the group-id time of got corresponds to that of
// want as every earlier one did: the same captured time is always the
// same time of ours, and different ones are different.
func (r *replayer) mapTime(line int, want, got []byte) {
	r.t.Helper()
	wt, ok1 := capture.TimeWord(want)
	gt, ok2 := capture.TimeWord(got)
	if !ok1 || !ok2 {
		return
	}
	if m, seen := r.times[wt]; seen {
		if m != gt {
			r.t.Fatalf("%s line %d: group id time %d, want %d (as for captured time %d before)", r.f.Name, line, gt, m, wt)
		}
		return
	}
	for c, m := range r.times {
		if m == gt {
			r.t.Fatalf("%s line %d: group id time %d already stood for captured %d, not %d", r.f.Name, line, gt, c, wt)
		}
	}
	r.times[wt] = gt
}

// unitAt returns the payload of the unit on the given line.
func (r *replayer) unitAt(line int) []byte {
	r.t.Helper()
	for _, e := range r.f.Events {
		if e.Line == line && e.Kind == capture.Unit {
			return e.Payload
		}
	}
	r.t.Fatalf("%s: no unit on line %d", r.f.Name, line)
	return nil
}

// expectClose checks that the daemon closes conn.
func (r *replayer) expectClose(conn string) {
	r.t.Helper()
	r.check(conn, expectation{close: true})
}

// expectUnit checks that conn receives exactly want next.
func (r *replayer) expectUnit(conn string, want []byte) {
	r.t.Helper()
	r.check(conn, expectation{unit: want})
}
