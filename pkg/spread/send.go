package spread

import (
	"sync"

	"github.com/spgo/spgo/internal/wire"
)

// writer coalesces outgoing frames: callers append whole frames to a
// pending buffer under a mutex and a flusher goroutine writes everything
// pending with one Write, so a burst of small messages costs few syscalls.
// Every frame (header, groups and body) is appended whole, so it is never
// split by another goroutine's frame, and the daemon sees header+groups+body
// in one write whenever it fits the socket. When more than limit bytes wait,
// senders block until the flusher catches up (back-pressure).
type writer struct {
	m     *Mailbox
	mu    sync.Mutex
	cond  sync.Cond // signalled when a write completes or the writer stops
	buf   []byte    // pending frames
	spare []byte    // the buffer the flusher last wrote, reused
	limit int
	// writing is true while the flusher writes a batch outside the lock.
	writing bool
	stopped bool
	kick    chan struct{}
	done    chan struct{}
}

func (w *writer) init(m *Mailbox, limit int) {
	w.m = m
	w.cond.L = &w.mu
	w.limit = limit
	w.buf = make([]byte, 0, limit)
	w.spare = make([]byte, 0, limit)
	w.kick = make(chan struct{}, 1)
	w.done = make(chan struct{})
	go w.flusher()
}

func (w *writer) flusher() {
	defer close(w.done)
	for {
		w.mu.Lock()
		for len(w.buf) == 0 && !w.stopped {
			// The mailbox failed (not by Disconnect, which still wants its
			// KILL_MESS written): nothing will be sent any more.
			if f := w.m.failure.Load(); f != nil && !f.disconnected {
				w.mu.Unlock()
				return
			}
			w.mu.Unlock()
			<-w.kick
			w.mu.Lock()
		}
		if len(w.buf) == 0 {
			w.mu.Unlock()
			return
		}
		batch := w.buf
		w.buf = w.spare[:0]
		w.writing = true
		w.mu.Unlock()

		_, err := w.m.conn.Write(batch)

		w.mu.Lock()
		w.spare = batch[:0]
		w.writing = false
		if err != nil {
			// Sticky: every later call reports it. What was pending is
			// lost, as it would be in the socket buffer of a dead peer.
			_ = w.m.netFail("multicast", err)
			w.buf = w.buf[:0]
			w.stopped = true
		}
		w.cond.Broadcast()
		w.mu.Unlock()
	}
}

// begin waits for room for n more bytes and returns with w.mu held, or
// returns the error that stops the caller (mu not held).
func (w *writer) begin(op string, n int) error {
	w.mu.Lock()
	for {
		if err := w.m.failed(op); err != nil {
			w.mu.Unlock()
			return err
		}
		if w.stopped {
			w.mu.Unlock()
			return &Error{Code: ConnectionClosed, Op: op, Daemon: w.m.daemon, Detail: "mailbox disconnected", disconnected: true}
		}
		// A frame bigger than the limit is let through on an empty buffer.
		if len(w.buf) == 0 || len(w.buf)+n <= w.limit {
			return nil
		}
		w.cond.Wait()
	}
}

// commit wakes the flusher if it may be idle and releases w.mu.
func (w *writer) commit(wasEmpty bool) {
	if wasEmpty && !w.writing {
		select {
		case w.kick <- struct{}{}:
		default:
		}
	}
	w.mu.Unlock()
}

// flush waits until everything appended so far has been written.
func (w *writer) flush(op string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	for (len(w.buf) > 0 || w.writing) && !w.stopped {
		w.cond.Wait()
	}
	return w.m.failed(op)
}

// shutdown appends the final frame (the KILL_MESS), lets the flusher write
// everything and waits for it to exit.
func (w *writer) shutdown(final []byte) {
	w.mu.Lock()
	if !w.stopped {
		w.buf = append(w.buf, final...)
		w.stopped = true
	}
	w.cond.Broadcast()
	w.mu.Unlock()
	select {
	case w.kick <- struct{}{}:
	default:
	}
	<-w.done
}

// Multicast sends data to one group (or private group) with the given
// service (exactly one of UnreliableMess ... SafeMess, optionally
// |SelfDiscard) and 16-bit message type. The message may wait in the
// mailbox's buffer; Flush forces it out. Nothing is sent when a check fails.
func (m *Mailbox) Multicast(service ServiceType, group string, data []byte, msgType int16) error {
	if err := checkService(service); err != nil {
		return err
	}
	if err := CheckDestination(group); err != nil {
		return err
	}
	if err := checkSize(1, len(data), m.groupLimit); err != nil {
		return err
	}
	n := FrameSize(1, len(data))
	if err := m.w.begin("multicast", n); err != nil {
		return err
	}
	wasEmpty := len(m.w.buf) == 0
	b := m.appendHeader(m.w.buf, uint32(service), 1, wire.MakeHint(msgType), len(data))
	b = appendName(b, group)
	m.w.buf = append(b, data...)
	m.w.commit(wasEmpty)
	return nil
}

// FrameSize is the bytes a message of size data bytes to groups groups
// takes on the wire, either way: the fixed header, a name per group, the
// data (docs/protocol.md §5.1, §6.4).
func FrameSize(groups, data int) int { return wire.HeaderSize + MaxGroupName*groups + data }

// MulticastGroups sends one message to several groups at once
// (SP_multigroup_multicast): every member of any of them gets one copy. An
// empty list is legal (nobody receives it). At most GroupLimit groups
// (default 43, the real daemon's limit).
func (m *Mailbox) MulticastGroups(service ServiceType, groups []string, data []byte, msgType int16) error {
	if err := checkService(service); err != nil {
		return err
	}
	if err := checkSize(len(groups), len(data), m.groupLimit); err != nil {
		return err
	}
	for _, g := range groups {
		if err := CheckDestination(g); err != nil {
			return err
		}
	}
	n := FrameSize(len(groups), len(data))
	if err := m.w.begin("multicast", n); err != nil {
		return err
	}
	wasEmpty := len(m.w.buf) == 0
	b := m.appendHeader(m.w.buf, uint32(service), len(groups), wire.MakeHint(msgType), len(data))
	for _, g := range groups {
		b = appendName(b, g)
	}
	m.w.buf = append(b, data...)
	m.w.commit(wasEmpty)
	return nil
}

// Join joins group (1..31 bytes '$'..'~'). It returns once the request is
// written; the daemon confirms with a membership message (when membership
// messages are on). Joining a group twice is silently ignored by the daemon.
func (m *Mailbox) Join(group string) error {
	if err := checkMemberGroup("join", group); err != nil {
		return err
	}
	return m.request("join", wire.JoinMess, group)
}

// Leave leaves group. The daemon answers with a self-leave membership
// message (when membership messages are on); leaving a group one is not in
// is silently ignored.
func (m *Mailbox) Leave(group string) error {
	if err := checkMemberGroup("leave", group); err != nil {
		return err
	}
	return m.request("leave", wire.LeaveMess, group)
}

func (m *Mailbox) request(op string, typ uint32, group string) error {
	if err := m.w.begin(op, wire.HeaderSize+MaxGroupName); err != nil {
		return err
	}
	wasEmpty := len(m.w.buf) == 0
	b := m.appendHeader(m.w.buf, typ, 1, wire.EndianMarker, 0)
	m.w.buf = appendName(b, group)
	m.w.commit(wasEmpty)
	return m.w.flush(op)
}

// Flush waits until every message handed to Multicast so far has been
// written to the connection, and reports a write error if one happened.
// Written is not yet read: the daemon orders a message when it reads it,
// in the configuration it is in then, so a message flushed just before a
// membership change (a partition of a test ring, another client's join)
// may still be ordered after it. An embedded ring's Sync
// (pkg/daemon.Ring.Sync) waits until the daemon has read and ordered what
// was flushed.
func (m *Mailbox) Flush() error {
	if err := m.failed("flush"); err != nil {
		return err
	}
	return m.w.flush("flush")
}

// appendHeader appends a little-endian header from this mailbox.
func (m *Mailbox) appendHeader(dst []byte, typ uint32, numGroups int, hint uint32, dataLen int) []byte {
	h := wire.Header{Type: typ, Sender: m.sender, NumGroups: int32(numGroups), Hint: hint, DataLen: int32(dataLen)}
	return wire.AppendHeader(dst, &h)
}

var zeros [MaxGroupName]byte

// appendName appends a checked name (<= 31 bytes) as a NUL-padded field.
func appendName(dst []byte, name string) []byte {
	dst = append(dst, name...)
	return append(dst, zeros[:MaxGroupName-len(name)]...)
}

// appendKill builds the KILL_MESS of SP_disconnect: our private group as
// sender and as the one group, hint = marker, no body. (libspread leaves
// garbage after the NUL of the group field; we send zeros.)
func appendKill(dst []byte, sender *wire.Name) []byte {
	h := wire.Header{Type: wire.KillMess, Sender: *sender, NumGroups: 1, Hint: wire.EndianMarker}
	dst = wire.AppendHeader(dst, &h)
	return append(dst, sender[:]...)
}
