//go:build !linux

package daemon

import (
	"errors"
	"net"
)

// rawWriter writes in place on Linux only; elsewhere every write is the
// writer goroutine's.
type rawWriter struct{}

func newRawWriter(net.Conn) *rawWriter { return nil }

func (*rawWriter) tryWrite([][]byte, int) (int, error) { return 0, errors.ErrUnsupported }

// rawReader reads raw on Linux only; elsewhere sessions read with conn.Read.
type rawReader struct{}

func newRawReader(net.Conn) *rawReader { return nil }

func (*rawReader) Read([]byte) (int, error) { return 0, errors.ErrUnsupported }

func (*rawReader) tryRead([]byte) (int, error) { return 0, errors.ErrUnsupported }
