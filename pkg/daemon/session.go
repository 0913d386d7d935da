package daemon

import (
	"errors"
	"io"
	"net"
	"sync"
	"syscall"
	"time"

	"github.com/spgo/spgo/internal/wire"
)

// sessState is where a connection is in its life; owned by the sequencer.
type sessState int

const (
	stateHandshake sessState = iota // connected, no name yet
	stateReserved                   // name reserved, authenticating
	stateLive                       // accepted: sends, receives, is addressable
	stateDead                       // removed; its goroutines are ending
)

// session is one client connection.
type session struct {
	d      *Daemon
	conn   net.Conn
	remote string
	id     uint64 // connection number: logs and invented names

	// Set by the handshake, read-only once live.
	version    string    // the client library's, "4.4.0"
	hsDeadline time.Time // end of the handshake
	name       string    // private name
	pgroup     string    // private group "#name#daemon"
	pfield     wire.Name // pgroup as a 32-byte field
	membership bool      // asked for membership messages
	priority   int       // stored, unused (as in 4.4.0)

	in    inbuf        // read side, owned by the reader goroutine
	syncs syncRequests // barriers (Ring.Sync) waiting for the reader

	// Owned by the sequencer (seq.mu).
	state   sessState
	groups  map[string]*group
	mark    uint64 // delivery epoch, to send a message once per recipient
	flushEp uint64 // step in which it was last listed for a flush
	doomed  bool   // queued for removal (slow consumer)

	out outQueue // write side

	closeOnce sync.Once
	done      chan struct{} // closed when the session is removed
}

func newSession(d *Daemon, conn net.Conn, id uint64) *session {
	s := &session{d: d, conn: conn, id: id, done: make(chan struct{})}
	s.remote = remoteOf(conn)
	s.in.attach(conn)
	s.in.changed = &d.seq.changed
	s.out.init(conn)
	s.out.halted = &d.halted
	return s
}

// remoteOf names the peer in log lines: "ip:port" for TCP, "unix:<socket
// path>" for a Unix-socket client (which has no address), "pipe" for
// net.Pipe.
func remoteOf(c net.Conn) string {
	if a := c.RemoteAddr(); a != nil && a.String() != "" && a.String() != "@" && a.Network() != "pipe" {
		return a.String()
	}
	if a := c.LocalAddr(); a != nil && a.Network() == "unix" {
		return "unix:" + a.String()
	}
	if a := c.LocalAddr(); a != nil && a.Network() == "pipe" {
		return "pipe"
	}
	return "local"
}

// label names the session in log lines: its private group once known.
func (s *session) label() string {
	if s.pgroup != "" {
		return s.pgroup
	}
	return "-"
}

// close ends the connection and stops the writer; idempotent.
func (s *session) close() {
	s.closeOnce.Do(func() {
		close(s.done)
		s.conn.Close()
	})
}

// writeRaw writes handshake bytes directly (the writer does not run yet).
func (s *session) writeRaw(b []byte) error {
	s.conn.SetWriteDeadline(time.Now().Add(s.d.cfg.HandshakeTimeout))
	_, err := s.conn.Write(b)
	s.conn.SetWriteDeadline(time.Time{})
	return err
}

// run is the session's reader goroutine: handshake, then the message loop.
func (s *session) run() {
	defer s.d.wg.Done()
	var held []chan struct{} // barriers taken, acked when their bytes are ordered
	defer func() { s.syncs.end(held) }()
	if err := s.handshake(); err != nil {
		var rj *rejection
		if errors.As(err, &rj) && rj.code != 0 {
			s.writeRaw([]byte{rj.code})
		}
		s.d.seq.endHandshake(s, err)
		return
	}
	s.readLoop(&held)
}

// maxInPlace is how many recipients of one read its reader writes to in
// place; the writers of any further ones write in parallel, so a large
// fan-out is not one goroutine's sequence of writes.
const maxInPlace = 64

// inFrame is one complete client frame inside the read buffer.
type inFrame struct {
	b   []byte // the whole frame, header already in the daemon's byte order
	h   wire.Header
	off int32 // where it starts in the unconsumed bytes
}

// readLoop parses every complete frame of each read and hands them to the
// sequencer in one step. A bad header ends the session right after the
// frames before it have been ordered; so does the end of the connection,
// after every complete frame read before it. Between reads it serves the
// barriers (held, see read).
func (s *session) readLoop(held *[]chan struct{}) {
	q := s.d.seq
	in := &s.in
	var frames []inFrame
	var congested, flushes []*session
	var readErr error
	for {
		frames = frames[:0]
		var bad error
		need := wire.HeaderSize
		off := 0
		avail := in.bytes()
		for len(avail)-off >= wire.HeaderSize {
			h, total, err := checkHeader(avail[off:], s)
			if err != nil {
				bad = err
				break
			}
			if len(avail)-off < total {
				need = total
				break
			}
			f := avail[off : off+total]
			if h.BigEndian {
				toLittleEndian(f, &h)
			}
			frames = append(frames, inFrame{b: f, h: h, off: int32(off)})
			off += total
		}
		if len(frames) > 0 {
			n, alive := q.step(s, frames, &congested, &flushes)
			for i, r := range flushes {
				if i < maxInPlace {
					r.out.flush()
				} else {
					r.out.signal()
				}
			}
			clear(flushes)
			flushes = flushes[:0]
			if n < len(frames) {
				// Congestion: the rest waits in the buffer for the throttle.
				off = int(frames[n].off)
				bad = nil
			}
			clear(frames) // drop references into the buffer
			if !alive {
				return
			}
		}
		in.consume(off)
		if bad != nil {
			q.remove(s, "killed: bad header: "+bad.Error(), false)
			return
		}
		if len(congested) > 0 {
			s.throttle(congested, &readErr)
			congested = congested[:0]
			continue // frames read ahead meanwhile
		}
		if readErr == nil {
			if readErr = s.read(need, held); readErr == nil {
				continue
			}
		}
		q.remove(s, closeReason(readErr, in.buffered()), true)
		return
	}
}

// closeReason says in a log line how a client's connection ended.
func closeReason(err error, partial int) string {
	switch {
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset by client"
	case !errors.Is(err, io.EOF):
		return "read failed: " + err.Error()
	case partial > 0:
		return "connection closed by client in the middle of a frame"
	}
	return "connection closed by client"
}
