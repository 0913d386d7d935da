package spread

import "io"

// Poll returns how many bytes can be received without blocking, like
// SP_poll: bytes already buffered in the mailbox plus bytes waiting on the
// socket. It is not a message count. It never blocks, even while another
// goroutine is blocked in Receive. When it finds that the daemon has closed
// the connection and nothing is left to read, it returns CONNECTION_CLOSED.
func (m *Mailbox) Poll() (int, error) {
	if err := m.failed("poll"); err != nil {
		return 0, err
	}
	n := int(m.r.buffered.Load())
	k, eof, err := socketReadable(m.conn)
	if err != nil {
		return n, nil // no descriptor (e.g. net.Pipe): report what we hold
	}
	if eof && n == 0 {
		return 0, m.fail("poll", ConnectionClosed, "the daemon closed the connection", io.EOF)
	}
	return n + k, nil
}
