package daemon

import (
	"errors"
	"io"
	"net"
	"syscall"
	"unsafe"
)

// rawReader reads a session's socket through its RawConn, so that the
// read itself can be a raw system call (sysRead). A read through net.Conn
// enters the runtime's system-call state, and the first one after the
// daemon was idle wakes the runtime's monitor thread (sysmon) with a futex
// call; with one message per wake-up that was a futex wake-up on the way
// to every read and 8-15% of the daemon's CPU. The socket is non-blocking
// (every net.Conn's is), so the raw read never blocks: when it finds
// nothing, RawConn.Read parks the goroutine in the poller as conn.Read
// does, and read deadlines apply as before.
type rawReader struct {
	rc  syscall.RawConn
	p   []byte
	fn  func(fd uintptr) bool // r.read, bound once
	try func(fd uintptr) bool // r.read that never waits, bound once
	n   int
	err error
}

// newRawReader is nil for connections that are no socket (net.Pipe).
func newRawReader(c net.Conn) *rawReader {
	rc := rawConn(c)
	if rc == nil {
		return nil
	}
	r := &rawReader{rc: rc}
	r.fn = r.read
	r.try = func(fd uintptr) bool {
		r.read(fd)
		return true
	}
	return r
}

// Read is conn.Read: io.EOF at the end of the stream, and errors that
// errors.Is matches as it would match conn.Read's.
func (r *rawReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	r.p, r.n, r.err = p, 0, nil
	err := r.rc.Read(r.fn)
	r.p = nil
	if err != nil {
		var op *net.OpError
		if errors.As(err, &op) {
			op.Op = "read" // not "raw-read": log lines read as before
		}
		return 0, err
	}
	return r.n, r.err
}

// tryRead is Read without waiting: 0 bytes and no error when the socket
// holds nothing now. The read deadline must not have passed.
func (r *rawReader) tryRead(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	r.p, r.n, r.err = p, 0, nil
	err := r.rc.Read(r.try)
	r.p = nil
	if err != nil {
		return 0, err
	}
	return r.n, r.err
}

// read is one attempt; false tells RawConn.Read to wait for input.
func (r *rawReader) read(fd uintptr) bool {
	for {
		n, e := sysRead(fd, unsafe.Pointer(&r.p[0]), len(r.p))
		switch e {
		case 0:
			r.n = n
			if n == 0 {
				r.err = io.EOF
			}
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return false
		default:
			r.err = e
		}
		return true
	}
}
