package daemon

import (
	"net"
	"syscall"
	"unsafe"
)

// rawWriter writes to a socket what it takes at once, never waiting for
// it to drain (the socket is non-blocking, as every net.Conn's is).
type rawWriter struct {
	rc  syscall.RawConn
	iov []syscall.Iovec
	fn  func(fd uintptr) bool // w.writev, bound once
	n   int
	err error
}

// rawConn is c's RawConn, or nil for connections that are no socket
// (net.Pipe).
func rawConn(c net.Conn) syscall.RawConn {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return rc
}

// newRawWriter is nil for connections that are no socket (net.Pipe).
func newRawWriter(c net.Conn) *rawWriter {
	rc := rawConn(c)
	if rc == nil {
		return nil
	}
	w := &rawWriter{rc: rc}
	w.fn = w.writev
	return w
}

// tryWrite does one writev of bufs (the first from off) and returns the
// bytes written: 0 when the socket is full.
func (w *rawWriter) tryWrite(bufs [][]byte, off int) (int, error) {
	w.iov = w.iov[:0]
	for i, b := range bufs {
		if i == 0 {
			b = b[off:]
		}
		if len(b) == 0 {
			continue
		}
		v := syscall.Iovec{Base: &b[0]}
		v.SetLen(len(b))
		w.iov = append(w.iov, v)
	}
	if len(w.iov) == 0 {
		return 0, nil
	}
	w.n, w.err = 0, nil
	err := w.rc.Write(w.fn)
	clear(w.iov) // drop pointers into chunks going back to their pools
	if err != nil {
		return 0, err
	}
	return w.n, w.err
}

// writev is the one attempt: returning true tells RawConn.Write not to
// wait for the socket. It is a raw system call, outside the runtime's
// system-call state, for the reason rawReader gives: the socket is
// non-blocking, so it returns at once.
func (w *rawWriter) writev(fd uintptr) bool {
	for {
		n, _, e := syscall.RawSyscall(syscall.SYS_WRITEV, fd, uintptr(unsafe.Pointer(&w.iov[0])), uintptr(len(w.iov)))
		switch e {
		case 0:
			w.n = int(n)
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
		default:
			w.err = e
		}
		return true
	}
}
