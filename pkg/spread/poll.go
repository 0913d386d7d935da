package spread

import "io"

// Poll returns how many bytes can be received without blocking, like
// SP_poll (the Python module's poll() says only whether it is 0): bytes already buffered in the mailbox plus bytes waiting on the
// socket. It is not a message count. It never blocks, even while another
// goroutine is blocked in Receive. It returns CONNECTION_CLOSED only when
// nothing is left to receive: the connection is lost (or the daemon has
// closed it) and the mailbox holds no bytes. Poll itself never fails the
// mailbox; bytes it counts are returned by Receive first, and a partial
// frame among them ends in CONNECTION_CLOSED from Receive.
func (m *Mailbox) Poll() (int, error) {
	k, eof, err := socketReadable(m.conn)
	if err != nil {
		k, eof = 0, false // no descriptor (e.g. net.Pipe), or closed: report what we hold
	}
	f := m.failure.Load()
	if f != nil && !f.keepsBuffered() {
		return 0, m.failed("poll")
	}
	// Look at the reader only after the socket: a Read that emptied the
	// socket before the check above has by now either stored its count in
	// buffered (stored before reading is cleared) or is still marked as
	// reading. Reading buffered first could miss those bytes and call a
	// connection closed while Receive still has messages to return.
	reading := m.r.reading.Load()
	n := int(m.r.buffered.Load())
	switch {
	case n > 0 || reading || (f == nil && !eof):
		return n + k, nil
	case f != nil:
		return 0, m.failed("poll")
	default:
		return 0, &Error{Code: ConnectionClosed, Op: "poll", Daemon: m.daemon,
			Detail: "the daemon closed the connection", Err: io.EOF}
	}
}
