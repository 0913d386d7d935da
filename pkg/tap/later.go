package tap

import (
	"sync"
	"time"
)

// Decoding off the forwarding path. A tap that neither records nor counts
// frames for a fault forwards each chunk first and decodes it afterwards,
// so that forwarding waits for no decoding of its own chunk (a flood
// through the tap is limited by its latency). The chunks of both
// directions are queued in the order they were read, before they are
// forwarded, which the decoder needs: a daemon's handshake is read
// according to the client's hello, and the daemon sees the hello only once
// it is forwarded. After forwarding, a pump decodes what is queued unless
// the other pump is doing so already, which then decodes the new chunk
// too: no goroutine is woken per chunk. A tap that records or counts
// decodes each chunk before forwarding it, so that recordings keep the
// causal order across connections, and a fault falls between frames.

// laterQueue is how many chunks may wait to be decoded before a pump
// waits too: at most 16 MiB a relay.
const laterQueue = 64

// task is what r's decoder does next: decode the first n bytes of buf,
// read at now from dir, and release buf; or, with no buf, run fn.
type task struct {
	dir Direction
	buf *chunkBuf
	n   int
	now time.Time
	fn  func()
}

// laterTasks is a relay's queue of work to do after forwarding.
type laterTasks struct {
	mu      sync.Mutex
	changed sync.Cond // busy ended, or the queue was taken
	tasks   []task
	spare   []task // the slice of the last batch, for reuse
	busy    bool   // a pump is running the queued tasks
}

// decodesLater reports whether cfg lets decoding follow forwarding.
func decodesLater(cfg *Config) bool {
	f := &cfg.Faults
	return cfg.Record == nil && f.StallAfter == 0 && f.CutAfter == 0 && (f.Delay+f.Jitter == 0 || len(cfg.Sessions) == 0)
}

// startLater makes r's queue, when the tap decodes later.
func (r *relay) startLater() {
	if !r.t.later {
		return
	}
	r.queue = &laterTasks{}
	r.queue.changed.L = &r.queue.mu
}

// enqueue adds t to r's queue, waiting while the queue is full and being
// run.
func (r *relay) enqueue(t task) {
	q := r.queue
	q.mu.Lock()
	for len(q.tasks) >= laterQueue && q.busy {
		q.changed.Wait()
	}
	q.tasks = append(q.tasks, t)
	q.mu.Unlock()
}

// runQueued runs the queued tasks, and those queued meanwhile, unless
// another goroutine is running them: that one runs these too.
func (r *relay) runQueued() {
	q := r.queue
	q.mu.Lock()
	if q.busy {
		q.mu.Unlock()
		return
	}
	q.busy = true
	deliver := func(f *Frame) { r.t.deliver(r, f) }
	for len(q.tasks) > 0 {
		batch := q.tasks
		q.tasks = q.spare[:0]
		q.changed.Broadcast()
		q.mu.Unlock()
		for _, t := range batch {
			if t.buf == nil {
				t.fn()
				continue
			}
			r.conv.FeedView(t.dir, t.buf.b[:t.n], t.now, deliver)
			t.buf.release()
		}
		clear(batch) // the chunks and functions may go
		q.mu.Lock()
		q.spare = batch
	}
	q.busy = false
	q.changed.Broadcast()
	q.mu.Unlock()
}

// later runs fn after what was queued before it; at once when the tap
// decodes before forwarding.
func (r *relay) later(fn func()) {
	if r.queue == nil {
		fn()
		return
	}
	r.enqueue(task{fn: fn})
	r.runQueued()
}

// stopLater waits until everything queued is decoded.
func (r *relay) stopLater() {
	if r.queue == nil {
		return
	}
	q := r.queue
	q.mu.Lock()
	for q.busy {
		q.changed.Wait()
	}
	q.mu.Unlock()
	r.runQueued()
}
