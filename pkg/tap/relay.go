package tap

import (
	"context"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// relay is one client connection and its connection to the daemon.
type relay struct {
	t      *Tap
	id     int
	client net.Conn
	conv   *Conversation
	faults faultState

	mu     sync.Mutex
	daemon net.Conn
	ended  bool // cut: both sides closed by the tap
	// closed is set by the first close, the one a frame reports.
	closed atomic.Bool

	// Decoding after forwarding (later.go): the work queued.
	queue *laterTasks
}

func newRelay(t *Tap, id int, c net.Conn) *relay {
	return &relay{t: t, id: id, client: c, conv: NewConversation(id), faults: faultState{f: t.cfg.Faults}}
}

// run serves the connection until both directions have ended.
func (r *relay) run() {
	defer r.t.unregister(r)
	r.startLater()
	defer r.stopLater()
	open := &Frame{Kind: KindOpen, Conn: r.id, Time: time.Now()}
	r.later(func() { r.t.deliver(r, open) })
	ctx, cancel := context.WithTimeout(context.Background(), r.t.cfg.DialTimeout)
	d, err := (&net.Dialer{}).DialContext(ctx, r.t.network, r.t.daemonAddr)
	cancel()
	if err != nil {
		r.closeFrame("D", fmt.Sprintf("daemon %s: %v", r.t.cfg.Daemon, err))
		r.client.Close()
		return
	}
	if !r.setDaemon(d) {
		return
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); r.pump(ClientToDaemon, r.client, d) }()
	go func() { defer wg.Done(); r.pump(DaemonToClient, d, r.client) }()
	wg.Wait()
	r.cut()
}

// setDaemon keeps the daemon connection, unless the relay was cut
// meanwhile (the tap is closing).
func (r *relay) setDaemon(d net.Conn) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ended {
		d.Close()
		return false
	}
	r.daemon = d
	return true
}

// cut closes both sides.
func (r *relay) cut() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ended = true
	r.client.Close()
	if r.daemon != nil {
		r.daemon.Close()
	}
}

// faultAt is a fault due once the bytes up to end are forwarded.
type faultAt struct {
	end        int
	stall, cut bool
}

// pump reads src, decodes, delivers and forwards to dst until src ends.
func (r *relay) pump(dir Direction, src, dst net.Conn) {
	l := &line{dir: dir, dst: dst, fs: &r.faults}
	var faults []faultAt
	in := newChunkReader(src)
	for {
		buf, n, err := in.next()
		if err != nil {
			l.flush()
			r.srcEnded(dir, dst)
			return
		}
		chunk, now := buf.b[:n], time.Now()
		faults = faults[:0]
		if r.queue != nil {
			buf.users.Add(1) // the decoder's use
			r.enqueue(task{dir: dir, buf: buf, n: n, now: now})
		} else {
			faults = r.decode(dir, chunk, now, faults)
		}
		ok := r.forward(l, chunk, faults)
		if r.queue != nil {
			r.runQueued()
		}
		buf.release()
		if !ok {
			l.flush()
			r.cut()
			return
		}
	}
}

// decode decodes and delivers chunk, and appends the faults due after its
// frames to faults.
func (r *relay) decode(dir Direction, chunk []byte, now time.Time, faults []faultAt) []faultAt {
	end := -r.conv.pending(dir)
	r.conv.FeedView(dir, chunk, now, func(f *Frame) {
		end += f.Size
		selected := r.t.deliver(r, f)
		if stall, cut := r.faults.count(dir, selected); stall || cut {
			faults = append(faults, faultAt{end: end, stall: stall, cut: cut})
		}
	})
	return faults
}

// srcEnded follows one side's close: a client that closed leaves the
// daemon able to answer (its sending side is shut, as the client's was);
// a daemon that closed ends the whole connection, as it would directly.
func (r *relay) srcEnded(dir Direction, dst net.Conn) {
	by := "C"
	if dir == DaemonToClient {
		by = "D"
	}
	r.mu.Lock()
	ended := r.ended
	r.mu.Unlock()
	if !ended {
		r.later(func() {
			if f := r.conv.End(dir, time.Now()); f != nil {
				r.t.deliver(r, f)
			}
		})
		r.closeFrame(by, "")
	}
	if cw, ok := dst.(interface{ CloseWrite() error }); ok && dir == ClientToDaemon {
		_ = cw.CloseWrite()
		return
	}
	r.cut()
}

// forward writes b, applying the faults due after the frames that b
// completes. It reports false when the session must end: cut, or a write
// failed.
func (r *relay) forward(l *line, b []byte, faults []faultAt) bool {
	delay := r.faults.delays(l.dir) && r.t.filter.session(r.conv.Session())
	from := 0
	for _, f := range faults {
		if !l.write(b[from:f.end], delay) {
			return false
		}
		from = f.end
		if f.cut {
			l.flush()
			r.closeFrame("T", fmt.Sprintf("cut after %d frames", r.faults.f.CutAfter))
			return false
		}
		r.faults.stall()
	}
	return from == len(b) || l.write(b[from:], delay)
}

// closeFrame delivers the connection's close once: by "C" (the client),
// "D" (the daemon, or the tap failing to reach it) or "T" (the tap, by a
// fault).
func (r *relay) closeFrame(by, why string) {
	if r.closed.Swap(true) {
		return
	}
	f := &Frame{Kind: KindClose, Conn: r.id, Time: time.Now(), By: by, Error: why}
	r.later(func() {
		f.Session = r.conv.Session()
		r.t.deliver(r, f)
	})
}
