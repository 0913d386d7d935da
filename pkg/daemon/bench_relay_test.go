package daemon

import (
	"bufio"
	"io"
	"net"
	"testing"
	"time"
)

// relayFrameSize is a 1000-byte message with its 48-byte header.
const relayFrameSize = 1048

// BenchmarkRawRelay is the ceiling for any relaying daemon on this
// machine: a sender writes relayFrameSize-byte frames in 64 KiB batches
// over loopback TCP to a goroutine that copies every byte, through user
// space, to a receiver; nothing is parsed. make bench prints the daemon's
// rates as fractions of its frames/s, measured in the same run.
func BenchmarkRawRelay(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	dial := func() (client, server net.Conn) {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			b.Fatal(err)
		}
		s, err := ln.Accept()
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { c.Close(); s.Close() })
		return c, s
	}
	snd, in := dial()
	rcv, out := dial()
	total := int64(b.N) * relayFrameSize
	b.SetBytes(relayFrameSize)
	b.ResetTimer()
	start := time.Now()
	go relayBytes(out, in) // a plain copy loop: io.Copy between TCP conns would splice in the kernel
	go func() {
		w := bufio.NewWriterSize(snd, 64<<10)
		frame := make([]byte, relayFrameSize)
		for i := 0; i < b.N; i++ {
			if _, err := w.Write(frame); err != nil {
				return
			}
		}
		w.Flush()
	}()
	buf := make([]byte, 256<<10)
	for got := int64(0); got < total; {
		n, err := rcv.Read(buf)
		if err != nil {
			b.Fatal(err)
		}
		got += int64(n)
	}
	el := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/el.Seconds(), "frames/s")
}

func relayBytes(dst io.Writer, src io.Reader) {
	buf := make([]byte, 64<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}
