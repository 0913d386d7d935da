package tap

import "time"

// Decoding off the forwarding path. A tap that neither records nor counts
// frames for a fault forwards each chunk first and decodes it afterwards,
// in one goroutine per connection, so that forwarding waits for neither
// decoding nor OnFrame (a flood through the tap is limited by its latency).
// One goroutine per connection keeps the order in which the chunks of both
// directions were forwarded, which the decoder needs: a daemon's handshake
// is read according to the client's hello. A tap that records or counts
// decodes each chunk before forwarding it, so that recordings keep the
// causal order across connections, and a fault falls between frames.

// laterQueue is how many chunks may wait to be decoded before the
// forwarding waits too.
const laterQueue = 256

// task is what r's decoding goroutine does next: decode the first n bytes
// of buf, read at now from dir, and release buf; or, with no buf, run fn.
type task struct {
	dir Direction
	buf *chunkBuf
	n   int
	now time.Time
	fn  func()
}

// decodesLater reports whether cfg lets decoding follow forwarding.
func decodesLater(cfg *Config) bool {
	f := &cfg.Faults
	return cfg.Record == nil && f.StallAfter == 0 && f.CutAfter == 0 && (f.Delay+f.Jitter == 0 || len(cfg.Sessions) == 0)
}

// startLater starts r's decoding goroutine, when the tap decodes later.
func (r *relay) startLater() {
	if !r.t.later {
		return
	}
	r.queue, r.decoded = make(chan task, laterQueue), make(chan struct{})
	go func() {
		defer close(r.decoded)
		deliver := func(f *Frame) { r.t.deliver(r, f) }
		for t := range r.queue {
			if t.buf == nil {
				t.fn()
				continue
			}
			r.conv.FeedView(t.dir, t.buf.b[:t.n], t.now, deliver)
			t.buf.release()
		}
	}()
}

// later runs fn in r's decoding goroutine, after what came before it; at
// once when the tap decodes before forwarding.
func (r *relay) later(fn func()) {
	if r.queue == nil {
		fn()
		return
	}
	r.queue <- task{fn: fn}
}

// stopLater waits until everything queued is decoded.
func (r *relay) stopLater() {
	if r.queue != nil {
		close(r.queue)
		<-r.decoded
	}
}
