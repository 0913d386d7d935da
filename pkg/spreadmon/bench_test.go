package spreadmon_test

import (
	"context"
	"encoding/binary"
	"net"
	"testing"
	"time"

	"github.com/spgo/spgo/internal/monwire"
	"github.com/spgo/spgo/pkg/spreadmon"
)

// BenchmarkPoll100 is one round of watching 100 daemons: 100 queries out,
// 100 answers in and decoded. Its time per op over the interval is the
// share of a core that watching costs (e.g. 1 ms/op at --interval 1s is
// 0.1%), the answering side included since it runs in this process.
func BenchmarkPoll100(b *testing.B) {
	st := monwire.Status{Sec: 5, State: 1, GState: 1, NumProcs: 100, MajorVersion: 4, MinorVersion: 4}
	h := monwire.Header{Type: monwire.StatusType, ProcID: 0x7f000001, DataLen: monwire.StatusSize}
	reply := monwire.AppendStatus(monwire.AppendHeader(nil, &h, binary.LittleEndian), &st, binary.LittleEndian)
	var targets []spreadmon.Target
	for range 100 {
		c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		go func() {
			buf := make([]byte, 64)
			for {
				_, from, err := c.ReadFromUDPAddrPort(buf)
				if err != nil {
					return
				}
				c.WriteToUDPAddrPort(reply, from)
			}
		}()
		targets = append(targets, spreadmon.Target{Name: "d", Addr: c.LocalAddr().(*net.UDPAddr).AddrPort()})
	}
	p, err := spreadmon.NewPoller(loopback, targets)
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	b.ReportAllocs()
	for b.Loop() {
		for _, r := range p.Poll(context.Background(), 5*time.Second) {
			if r.Status == nil {
				b.Fatal(r.Err)
			}
		}
	}
}
