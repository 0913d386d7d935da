package tap

import (
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// faultState is one session's progress through Config.Faults.
type faultState struct {
	f       Faults
	counted atomic.Int64
	// stallUntil holds, per direction (0: C>D, 1: D>C), the Unix nano
	// time until which nothing is forwarded.
	stallUntil [2]atomic.Int64
}

// applies reports whether the faults concern dir.
func (fs *faultState) applies(dir Direction) bool {
	return fs.f.Direction == "" || fs.f.Direction == dir
}

// delays reports whether dir's bytes are held back.
func (fs *faultState) delays(dir Direction) bool {
	return fs.applies(dir) && fs.f.Delay+fs.f.Jitter > 0
}

// count counts a frame that travelled in dir, if the filters selected it,
// and says whether the session must stall or be cut right after it.
func (fs *faultState) count(dir Direction, selected bool) (stall, cut bool) {
	if !selected || !fs.applies(dir) || (fs.f.StallAfter == 0 && fs.f.CutAfter == 0) {
		return false, false
	}
	n := int(fs.counted.Add(1))
	return n == fs.f.StallAfter, n == fs.f.CutAfter
}

// stall stops forwarding in the faulted directions for Stall.
func (fs *faultState) stall() {
	until := time.Now().Add(fs.f.Stall).UnixNano()
	for i, d := range []Direction{ClientToDaemon, DaemonToClient} {
		if fs.applies(d) {
			fs.stallUntil[i].Store(until)
		}
	}
}

// waitStall sleeps while dir is stalled.
func (fs *faultState) waitStall(dir Direction) {
	i := 0
	if dir == DaemonToClient {
		i = 1
	}
	if d := time.Until(time.Unix(0, fs.stallUntil[i].Load())); d > 0 {
		time.Sleep(d)
	}
}

// chunk is bytes waiting in a delay line until due.
type chunk struct {
	due time.Time
	b   []byte
}

// line forwards one direction's bytes to dst, through a delay line once
// the session is selected for a delay.
type line struct {
	dir     Direction
	dst     net.Conn
	fs      *faultState
	queue   chan chunk
	lastDue time.Time
	done    chan struct{}
	failed  atomic.Bool
	once    sync.Once
}

// write forwards b (which it does not keep), delayed when delay is true or
// when earlier bytes were: bytes never overtake each other. It reports
// false once writing has failed.
func (l *line) write(b []byte, delay bool) bool {
	if l.failed.Load() {
		return false
	}
	if !delay && l.queue == nil {
		l.fs.waitStall(l.dir)
		if _, err := l.dst.Write(b); err != nil {
			l.failed.Store(true)
		}
		return !l.failed.Load()
	}
	if l.queue == nil {
		l.queue, l.done = make(chan chunk, 1024), make(chan struct{})
		go l.drain()
	}
	due := time.Now().Add(l.fs.f.Delay)
	if l.fs.f.Jitter > 0 {
		due = due.Add(rand.N(l.fs.f.Jitter))
	}
	if due.Before(l.lastDue) {
		due = l.lastDue
	}
	l.lastDue = due
	l.queue <- chunk{due: due, b: append([]byte(nil), b...)}
	return true
}

// drain writes queued chunks when they are due.
func (l *line) drain() {
	defer close(l.done)
	for c := range l.queue {
		if l.failed.Load() {
			continue
		}
		time.Sleep(time.Until(c.due))
		l.fs.waitStall(l.dir)
		if _, err := l.dst.Write(c.b); err != nil {
			l.failed.Store(true)
		}
	}
}

// flush waits until every queued chunk is written (or writing failed).
func (l *line) flush() {
	l.once.Do(func() {
		if l.queue != nil {
			close(l.queue)
			<-l.done
		}
	})
}
