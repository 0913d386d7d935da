package flood

import (
	"time"
)

// earlySend is how far ahead of its intended time a paced message may go.
const earlySend = 500 * time.Microsecond

// send is a sender's loop: after the start signal it sends Count messages
// (or until Duration is over), keeping at most Window in flight and, under
// Rate, each at its intended time.
func (f *flood) send(s *sender) {
	defer f.wg.Done()
	defer s.finished.Store(true)
	defer f.signal()
	cfg := f.cfg
	buf := make([]byte, cfg.Size)
	select {
	case <-f.start:
	case <-f.abort:
		return
	}
	select {
	case <-f.abort:
		return
	default:
	}
	s.begin = f.startTime
	begin := s.begin.UnixNano()
	var interval int64 // ns between a paced sender's messages
	if cfg.Rate > 0 {
		interval = int64(float64(time.Second) * float64(cfg.Senders) / cfg.Rate)
	}
	deadline := begin + int64(cfg.Duration)
	window := uint32(max(cfg.Window, 0))
	// A full window waits until an eighth of it has drained, so a sender
	// and its receivers do not wake each other for every message, yet the
	// pipe stays nearly full: draining to half left the daemon idle for
	// part of every round trip. Compare changes here side by side with
	// `spgo flood --services agreed`, embedded and against a daemon.
	var low uint32
	if window > 0 {
		low = window - max(window/8, 1)
	}
	block := cfg.durationBlock()
	var seq uint32
	for {
		now := f.nanos()
		if cfg.Count > 0 {
			if int(seq) >= cfg.Count {
				break
			}
		} else if now >= deadline && seq%block == 0 {
			break
		}
		if window > 0 && seq >= window {
			if p, ok := s.minProgress(); ok && seq-p >= window {
				if !f.waitWindow(s, seq-low) {
					break
				}
				now = f.nanos()
			}
		}
		stamp := now
		if interval > 0 {
			intended := begin + int64(seq)*interval
			// Sleep only when well ahead: a timer cannot wait a few µs,
			// and sleeping per message would make the pacer's own
			// lateness most of the latency measured.
			if d := time.Duration(intended - now); d > earlySend {
				if err := s.mb.Flush(); err != nil {
					if !f.closing.Load() { // else the flood closed the session
						s.err = err
					}
					break
				}
				if !f.sleep(d - earlySend) {
					break
				}
				now = f.nanos()
			}
			// Latency counts from when the message should have gone out
			// (so a stall delays, and shows in, every message behind it),
			// or from when it went out if that was a little early.
			if intended < now {
				stamp = intended
			}
		}
		putHeader(buf, s.idx, seq, stamp)
		if err := s.mb.Multicast(f.svc, f.group, buf, floodType); err != nil {
			if !f.closing.Load() {
				s.err = err
			}
			break
		}
		seq++
		s.sent.Store(seq)
	}
	if err := s.mb.Flush(); err != nil && s.err == nil && !f.closing.Load() {
		s.err = err
	}
	s.end = f.clock()
}

// durationBlock is what a sender's count ends on a multiple of when
// Duration is over: in a write-acked run AckEvery, so that the receivers
// elsewhere acknowledge its last message; else 1.
func (c Config) durationBlock() uint32 {
	if c.Mode == ModeWriteAcked && c.AckEvery > 1 {
		return uint32(c.AckEvery)
	}
	return 1
}

// sleep waits d; false when the flood is aborted first.
func (f *flood) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-f.abort:
		return false
	}
}

// waitWindow blocks until every live source has delivered up to need (one
// past the sequence number); false when the flood is aborted.
func (f *flood) waitWindow(s *sender, need uint32) bool {
	if err := s.mb.Flush(); err != nil {
		return false
	}
	for {
		s.want.Store(need + 1)
		if s.gone.Load() {
			s.want.Store(0)
			return false
		}
		if p, ok := s.minProgress(); !ok || p >= need {
			s.want.Store(0)
			return true
		}
		select {
		case <-s.wake:
		case <-f.abort:
			s.want.Store(0)
			return false
		}
	}
}
