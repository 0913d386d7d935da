package tap_test

import (
	"context"
	"errors"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/spgo/spgo/pkg/daemon"
	"github.com/spgo/spgo/pkg/spread"
	"github.com/spgo/spgo/pkg/tap"
)

// A port in use is ErrPortInUse, in one line naming the address.
func TestPortInUse(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	_, err = tap.Start(tap.Config{Daemon: "4803", Listen: port, NoUnixSocket: true})
	if !errors.Is(err, tap.ErrPortInUse) || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "127.0.0.1:"+port) {
		t.Fatalf("error %v: want one line naming 127.0.0.1:%s and wrapping ErrPortInUse", err, port)
	}
}

// A daemon that is down closes the client's connection with a close frame
// saying why, and the tap goes on serving: once the daemon is up, the
// next client gets through.
func TestDaemonDown(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	fs := newFrames()
	tp := startTap(t, strconv.Itoa(port)+"@127.0.0.1", tap.Config{}, fs)
	if _, err := spread.Connect(tp.SpreadName(), spread.WithName("early")); err == nil {
		t.Fatal("connected through a tap whose daemon is down")
	}
	c := fs.waitFor(t, "the close", func(f *tap.Frame) bool { return f.Kind == tap.KindClose })
	if c.By != "D" || !strings.Contains(c.Error, "refused") {
		t.Fatalf("close frame %+v", c)
	}
	d, err := daemon.Start(daemon.Config{Name: "d1", Port: port, NoUnixSocket: true})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	mb, err := spread.Connect(tp.SpreadName(), spread.WithName("late"))
	if err != nil {
		t.Fatalf("the tap stopped serving after a failed dial: %v", err)
	}
	mb.Disconnect()
}

// The Unix socket SocketDir/PORT serves as the TCP port does.
func TestUnixSocket(t *testing.T) {
	d := startDaemon(t)
	dir, err := os.MkdirTemp("", "tap")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	tp, err := tap.Start(tap.Config{Daemon: d.SpreadName(), Listen: "0", SocketDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if want := dir + "/" + strconv.Itoa(tp.Port()); tp.UnixPath() != want {
		t.Fatalf("UnixPath %q, want %q", tp.UnixPath(), want)
	}
	toSocket := func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", tp.UnixPath())
	}
	mb, err := spread.Connect(strconv.Itoa(tp.Port()), spread.WithName("alice"), spread.WithDialer(toSocket))
	if err != nil {
		t.Fatal(err)
	}
	if mb.PrivateGroup() != "#alice#d1" {
		t.Fatalf("private group %q", mb.PrivateGroup())
	}
	mb.Disconnect()
	if err := tp.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(tp.UnixPath()); !os.IsNotExist(err) {
		t.Fatalf("socket left behind after Close: %v", err)
	}
}

// Bad configurations are *ConfigError naming the field.
func TestConfigErrors(t *testing.T) {
	cases := map[string]tap.Config{
		"Listen":             {Daemon: "4803", Listen: "x"},
		"Listen ":            {Daemon: "4803", Listen: "70000"},
		"Daemon":             {Daemon: "4803@", Listen: "0"},
		"Faults.StallAfter":  {Daemon: "4803", Listen: "0", Faults: tap.Faults{StallAfter: 3}},
		"Faults.Direction":   {Daemon: "4803", Listen: "0", Faults: tap.Faults{Direction: "up"}},
		"Faults.StallAfter ": {Daemon: "4803", Listen: "0", Faults: tap.Faults{CutAfter: -1}},
	}
	for field, cfg := range cases {
		_, err := tap.Start(cfg)
		var ce *tap.ConfigError
		if !errors.As(err, &ce) || !strings.HasPrefix(ce.Field, strings.TrimSpace(field)) {
			t.Errorf("%s: error %v, want a ConfigError on %s", field, err, field)
		}
	}
}

// The filters select whole sessions by name and messages by group.
func TestFilters(t *testing.T) {
	d := startDaemon(t)
	fs := newFrames()
	tp := startTap(t, d.SpreadName(), tap.Config{Sessions: []string{"alice"}, Groups: []string{"g2"}}, fs)
	var mbs []*spread.Mailbox
	for _, name := range []string{"alice", "bob"} {
		mb, err := spread.Connect(tp.SpreadName(), spread.WithName(name))
		if err != nil {
			t.Fatal(err)
		}
		defer mb.Disconnect()
		mbs = append(mbs, mb)
		for _, g := range []string{"g1", "g2"} {
			joinRoundTrip(t, mb, g)
		}
	}
	if err := mbs[1].Multicast(spread.AgreedMess, "g2", []byte("x"), 0); err != nil {
		t.Fatal(err)
	}
	if err := mbs[0].Multicast(spread.AgreedMess, "g2", []byte("last"), 0); err != nil {
		t.Fatal(err)
	}
	// Both reach alice, in the order the daemon chose: bob's x may still be
	// in the tap when her own message reaches the daemon.
	got := map[string]bool{}
	receiveUntil(t, mbs[0], func(m spread.Message) bool {
		if r, ok := m.(*spread.RegularMessage); ok {
			got[string(r.Data)] = true
		}
		return got["x"] && got["last"]
	})
	for _, data := range []string{"x", "last"} {
		fs.waitFor(t, "alice's copy of "+data, func(f *tap.Frame) bool {
			return f.Kind == tap.KindData && f.Dir == tap.DaemonToClient && f.Preview == data
		})
	}
	kinds := map[tap.Kind]int{}
	for _, f := range fs.all() {
		kinds[f.Kind]++
		if f.Session != "#alice#d1" || (f.Group != "g2" && !slices.Contains(f.Groups, "g2")) {
			t.Errorf("frame of session %q, group %q, groups %q passed the filters", f.Session, f.Group, f.Groups)
		}
	}
	// alice's join of g2, her two memberships of g2, bob's x and her last.
	if kinds[tap.KindJoin] != 1 || kinds[tap.KindMembership] != 2 || kinds[tap.KindData] != 3 {
		t.Fatalf("frames by kind %v", kinds)
	}
}
