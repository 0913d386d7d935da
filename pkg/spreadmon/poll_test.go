package spreadmon_test

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/spgo/spgo/internal/monwire"
	"github.com/spgo/spgo/pkg/daemon/spreadtest"
	"github.com/spgo/spgo/pkg/daemon/statusudp"
	"github.com/spgo/spgo/pkg/spreadmon"
)

var loopback = netip.MustParseAddr("127.0.0.1")

// realStyle answers like a real daemon: from another socket, to the
// address and port the query names, big-endian to exercise both orders.
func realStyle(t *testing.T) netip.AddrPort {
	t.Helper()
	in, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	out, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close(); out.Close() })
	go func() {
		buf := make([]byte, 100)
		for {
			n, _, err := in.ReadFromUDPAddrPort(buf)
			if err != nil {
				return
			}
			h, _, err := monwire.DecodeHeader(buf[:n])
			if err != nil || monwire.QueryProblem(h, n, 0) != "" {
				continue
			}
			var b [4]byte
			binary.BigEndian.PutUint32(b[:], h.ProcID)
			to := netip.AddrPortFrom(netip.AddrFrom4(b), uint16(h.Seq))
			rh := monwire.Header{Type: monwire.StatusType, ProcID: 0x7f000001, DataLen: monwire.StatusSize}
			st := monwire.Status{Sec: 7, State: 1, NumProcs: 3, MajorVersion: 4, MinorVersion: 4}
			out.WriteToUDPAddrPort(monwire.AppendStatus(monwire.AppendHeader(nil, &rh, binary.BigEndian), &st, binary.BigEndian), to)
		}
	}()
	return in.LocalAddr().(*net.UDPAddr).AddrPort()
}

func TestPoll(t *testing.T) {
	d := spreadtest.Run(t)
	c, err := statusudp.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := statusudp.Serve(c, statusudp.Options{Node: d})
	defer r.Close()
	silent, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	targets := []spreadmon.Target{
		{Name: "spgo", Addr: c.LocalAddr().(*net.UDPAddr).AddrPort()},
		{Name: "real", Addr: realStyle(t)},
		{Name: "silent", Addr: silent.LocalAddr().(*net.UDPAddr).AddrPort()},
	}
	p, err := spreadmon.NewPoller(loopback, targets)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for round := 0; round < 2; round++ {
		res := p.Poll(context.Background(), 300*time.Millisecond)
		if res[0].Status == nil || res[0].Status.NumProcs != 1 || res[0].BigEndian || res[0].Known != 30 {
			t.Errorf("spgo: %+v", res[0])
		}
		if res[1].Status == nil || res[1].Status.Sec != 7 || res[1].Status.NumProcs != 3 || !res[1].BigEndian {
			t.Errorf("real-style: %+v", res[1])
		}
		if !errors.Is(res[2].Err, spreadmon.ErrNoAnswer) || res[2].Status != nil {
			t.Errorf("silent: %+v", res[2])
		}
	}
}
