package tap

import (
	"io"
	"net"
	"syscall"
)

// chunkReader reads a connection into pooled chunks. On a socket it takes
// a chunk only once the socket has bytes to give, so a pump waiting on an
// idle connection holds no chunk, and chunks can be large: a pump that
// fell behind takes what waits in one read, and forwards it in one write,
// instead of paying a system call and a wake-up of its peer per 64 KiB.
type chunkReader struct {
	conn net.Conn
	rc   syscall.RawConn // nil for a connection that is no socket
	fn   func(fd uintptr) bool

	buf *chunkBuf
	n   int
	err error
}

func newChunkReader(c net.Conn) *chunkReader {
	r := &chunkReader{conn: c}
	if sc, ok := c.(syscall.Conn); ok {
		if rc, err := sc.SyscallConn(); err == nil {
			r.rc = rc
			r.fn = r.tryRead
		}
	}
	return r
}

// next reads what the connection has, waiting for it: a chunk with n > 0
// bytes (which the caller releases), or no chunk and an error (io.EOF at
// the end of the stream). Only whether it failed matters to a pump.
func (r *chunkReader) next() (*chunkBuf, int, error) {
	if r.rc == nil {
		buf := getChunk()
		n, err := r.conn.Read(buf.b)
		if n == 0 {
			buf.release()
			if err == nil {
				err = io.ErrNoProgress // net.Conn never does this; never spin on it
			}
			return nil, 0, err
		}
		return buf, n, nil // an error comes with the next read
	}
	r.buf, r.n, r.err = nil, 0, nil
	if err := r.rc.Read(r.fn); err != nil {
		r.dropChunk()
		return nil, 0, err
	}
	if r.err != nil {
		return nil, 0, r.err
	}
	return r.buf, r.n, nil
}

// tryRead is one attempt; false tells RawConn.Read to wait for input,
// with the chunk back in the pool meanwhile.
func (r *chunkReader) tryRead(fd uintptr) bool {
	if r.buf == nil {
		r.buf = getChunk()
	}
	for {
		n, err := syscall.Read(int(fd), r.buf.b)
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			r.dropChunk()
			return false
		case err != nil:
			r.dropChunk()
			r.err = err
		case n == 0:
			r.dropChunk()
			r.err = io.EOF
		default:
			r.n = n
		}
		return true
	}
}

func (r *chunkReader) dropChunk() {
	if r.buf != nil {
		r.buf.release()
		r.buf = nil
	}
}
