package tap_test

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/spgo/spgo/internal/capture"
	"github.com/spgo/spgo/pkg/daemon"
	"github.com/spgo/spgo/pkg/spread"
	"github.com/spgo/spgo/pkg/tap"
)

// startDaemon starts an embedded daemon on a free TCP port.
func startDaemon(t *testing.T) *daemon.Daemon {
	t.Helper()
	d, err := daemon.Start(daemon.Config{Name: "d1", Port: 0, NoUnixSocket: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// frames collects what a tap delivers and signals each arrival.
type frames struct {
	mu     sync.Mutex
	list   []tap.Frame
	arrive chan struct{}
}

func newFrames() *frames { return &frames{arrive: make(chan struct{}, 1<<16)} }

func (fs *frames) add(f tap.Frame) {
	fs.mu.Lock()
	fs.list = append(fs.list, f)
	fs.mu.Unlock()
	fs.arrive <- struct{}{}
}

// waitFor waits until a delivered frame satisfies ok and returns it.
func (fs *frames) waitFor(t *testing.T, what string, ok func(*tap.Frame) bool) tap.Frame {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for seen := 0; ; {
		fs.mu.Lock()
		for ; seen < len(fs.list); seen++ {
			if f := fs.list[seen]; ok(&f) {
				fs.mu.Unlock()
				return f
			}
		}
		fs.mu.Unlock()
		select {
		case <-fs.arrive:
		case <-timeout:
			t.Fatalf("no frame: %s", what)
		}
	}
}

func (fs *frames) all() []tap.Frame {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return append([]tap.Frame(nil), fs.list...)
}

// startTap starts a tap in front of daemon on a free port, TCP only,
// delivering to fs.
func startTap(t *testing.T, daemonName string, cfg tap.Config, fs *frames) *tap.Tap {
	t.Helper()
	cfg.Daemon, cfg.Listen, cfg.NoUnixSocket = daemonName, "0", true
	if fs != nil {
		cfg.OnFrame = fs.add
	}
	tp, err := tap.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tp.Close() })
	return tp
}

// tee is a client connection that keeps every byte it wrote and read.
type tee struct {
	net.Conn
	mu            sync.Mutex
	wrote, readBy bytes.Buffer
}

func (c *tee) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	c.mu.Lock()
	c.wrote.Write(b[:n])
	c.mu.Unlock()
	return n, err
}

func (c *tee) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.mu.Lock()
	c.readBy.Write(b[:n])
	c.mu.Unlock()
	return n, err
}

// connectTee connects name through addr, keeping its bytes.
func connectTee(t *testing.T, addr, name string) (*spread.Mailbox, *tee) {
	t.Helper()
	var c *tee
	dial := func(ctx context.Context, network, a string) (net.Conn, error) {
		nc, err := (&net.Dialer{}).DialContext(ctx, network, a)
		if err != nil {
			return nil, err
		}
		c = &tee{Conn: nc}
		return c, nil
	}
	mb, err := spread.Connect(addr, spread.WithName(name), spread.WithDialer(dial))
	if err != nil {
		t.Fatal(err)
	}
	return mb, c
}

// receiveUntil receives on mb until ok holds for a message.
func receiveUntil(t *testing.T, mb *spread.Mailbox, ok func(spread.Message) bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		m, err := mb.ReceiveContext(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if ok(m) {
			return
		}
	}
}

func isData(m spread.Message) bool { _, ok := m.(*spread.RegularMessage); return ok }

// A conversation recorded through the tap is byte for byte what its
// clients sent and received, as captured at their own sockets: in the
// recording, each connection's C>D units put together are exactly the
// bytes its client wrote, and its D>C units the bytes it read.
func TestRecordingEqualsTheConversation(t *testing.T) {
	d := startDaemon(t)
	path := filepath.Join(t.TempDir(), "rec.txt")
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	fs := newFrames()
	tp := startTap(t, d.SpreadName(), tap.Config{Record: out}, fs)

	a, ta := connectTee(t, tp.SpreadName(), "alice")
	b, tb := connectTee(t, tp.SpreadName(), "bob")
	for _, mb := range []*spread.Mailbox{a, b} {
		if err := mb.Join("g"); err != nil {
			t.Fatal(err)
		}
	}
	receiveUntil(t, a, func(m spread.Message) bool {
		mm, ok := m.(*spread.MembershipMessage)
		return ok && len(mm.Members) == 2
	})
	if err := a.Multicast(spread.AgreedMess, "g", []byte("hello\n\x00"), 7); err != nil {
		t.Fatal(err)
	}
	receiveUntil(t, b, isData)
	receiveUntil(t, a, isData)
	a.Disconnect()
	// bob reads every byte the tap forwards him before he goes.
	receiveUntil(t, b, func(m spread.Message) bool {
		mm, ok := m.(*spread.MembershipMessage)
		return ok && len(mm.Members) == 1
	})
	b.Disconnect()
	fs.waitFor(t, "two closes", func(f *tap.Frame) bool { return f.Kind == tap.KindClose && f.Conn == 2 })
	fs.waitFor(t, "alice's close", func(f *tap.Frame) bool { return f.Kind == tap.KindClose && f.Conn == 1 })
	if err := tp.Close(); err != nil {
		t.Fatal(err)
	}
	rec, err := capture.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range []*tee{ta, tb} {
		label := capture.Label(i + 1)
		c.mu.Lock()
		if got := bytes.Join(rec.Units(label, capture.ClientToDaemon), nil); !bytes.Equal(got, c.wrote.Bytes()) {
			t.Errorf("%s: recorded C>D\n%x\nthe client wrote\n%x", label, got, c.wrote.Bytes())
		}
		if got := bytes.Join(rec.Units(label, capture.DaemonToClient), nil); !bytes.Equal(got, c.readBy.Bytes()) {
			t.Errorf("%s: recorded D>C\n%x\nthe client read\n%x", label, got, c.readBy.Bytes())
		}
		c.mu.Unlock()
	}
	data := fs.waitFor(t, "alice's data", func(f *tap.Frame) bool { return f.Kind == tap.KindData && f.Dir == tap.ClientToDaemon })
	if data.Session != "#alice#d1" || data.Service != "AGREED" || data.MsgType != 7 || data.Preview != `hello\n\x00` || data.Groups[0] != "g" {
		t.Errorf("alice's data frame: %+v", data)
	}
}
