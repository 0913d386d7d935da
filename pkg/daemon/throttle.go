package daemon

import (
	"errors"
	"os"
	"time"
)

// Back-pressure. When a step (a message, join or leave) leaves some
// session — the requester's own included — with more than half of
// MaxSessionMessages queued, the requester's reader waits until that queue
// drains to a quarter, the session ends, or its writer has completed no
// write (of at most maxSlice bytes) for stallTimeout (a receiver that does
// not read at all: it is then left to the MaxSessionMessages limit, as in
// the real daemon).
//
// While it waits, the reader keeps reading its socket into its buffer (up
// to readAheadMax) without ordering anything. A client that sent its last
// messages and then closes with unread input (spflooder does) makes the
// kernel reset the connection and drop what it had not yet transmitted;
// reading ahead keeps those messages, which are ordered when the wait ends.
const (
	stallTimeout  = time.Second
	readAheadMax  = 1 << 20
	readAheadPoll = 100 * time.Microsecond
)

// throttle waits for every congested session in cong. A read error met
// while reading ahead is stored in *readErr (the session ends once the
// frames read before it are ordered).
func (s *session) throttle(cong []*session, readErr *error) {
	low := s.d.cfg.MaxSessionMessages / 4
	for _, r := range cong {
		s.d.reg.waits.Add(1)
		s.waitFor(r, low, readErr)
	}
	if *readErr == nil {
		s.conn.SetReadDeadline(time.Time{})
	}
}

// waitFor blocks while r has more than low messages queued and is making
// progress, reading ahead from s's socket meanwhile.
func (s *session) waitFor(r *session, low int, readErr *error) {
	o := &r.out
	var writes uint64
	since := time.Now()
	first, idle := true, false
	for {
		o.mu.Lock()
		if o.queued <= low || o.stalled {
			o.mu.Unlock()
			return
		}
		if first || o.writes != writes {
			first, writes, since = false, o.writes, time.Now()
		} else if time.Since(since) >= stallTimeout {
			o.stalled = true // no sender waits for r until it writes again
			o.mu.Unlock()
			return
		}
		if o.progress == nil {
			o.progress = make(chan struct{})
		}
		progress := o.progress
		o.mu.Unlock()

		select {
		case <-r.done:
			return
		default:
		}
		if *readErr == nil && !idle && s.in.canReadAhead(readAheadMax) {
			// A short probe: a client with bytes in flight answers at
			// once; a silent one is not polled again before r progresses.
			s.conn.SetReadDeadline(time.Now().Add(readAheadPoll))
			err := s.in.readAhead(readAheadMax)
			switch {
			case errors.Is(err, os.ErrDeadlineExceeded):
				idle = true
			case err != nil:
				*readErr = err
			}
			continue
		}
		idle = false
		t := time.NewTimer(stallTimeout - time.Since(since))
		select {
		case <-progress:
		case <-r.done:
		case <-t.C:
		}
		t.Stop()
	}
}
