package tap

import (
	"errors"
	"io"
	"net"
	"testing"
)

// tcpPair is both ends of a loopback TCP connection.
func tcpPair(t *testing.T) (a, b net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	a, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	b = <-accepted
	if b == nil {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { a.Close(); b.Close() })
	return a, b
}

// attempt runs one tryRead on r's socket, as RawConn.Read would.
func attempt(t *testing.T, r *chunkReader) bool {
	t.Helper()
	var done bool
	if err := r.rc.Control(func(fd uintptr) { done = r.tryRead(fd) }); err != nil {
		t.Fatal(err)
	}
	return done
}

// A reader waiting on an empty socket holds no chunk; one with bytes gets
// them all in one chunk; the end of the stream is io.EOF with no chunk.
func TestChunkReaderHoldsNoChunkWhileWaiting(t *testing.T) {
	a, b := tcpPair(t)
	r := newChunkReader(a)
	if r.rc == nil {
		t.Fatal("a TCP connection has no RawConn")
	}
	if done := attempt(t, r); done || r.buf != nil {
		t.Fatalf("an empty socket: done %v, chunk held %v; want to wait with no chunk", done, r.buf != nil)
	}
	if _, err := b.Write([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	buf, n, err := r.next()
	if err != nil || string(buf.b[:n]) != "hello" {
		t.Fatalf("next: %q, %v; want \"hello\"", buf.b[:n], err)
	}
	buf.release()
	b.Close()
	if buf, _, err := r.next(); !errors.Is(err, io.EOF) || buf != nil {
		t.Fatalf("after the peer closed: chunk %v, %v; want io.EOF and no chunk", buf != nil, err)
	}
}

// A connection that is no socket reads through Read.
func TestChunkReaderOnAPipe(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	r := newChunkReader(a)
	go func() { b.Write([]byte("over a pipe")); b.Close() }()
	buf, n, err := r.next()
	if err != nil || string(buf.b[:n]) != "over a pipe" {
		t.Fatalf("next: %v; want the bytes written", err)
	}
	buf.release()
	if _, _, err := r.next(); !errors.Is(err, io.EOF) {
		t.Fatalf("after close: %v, want io.EOF", err)
	}
}
