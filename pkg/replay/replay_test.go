package replay_test

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spgo/spgo/internal/capture"
	"github.com/spgo/spgo/pkg/daemon"
	"github.com/spgo/spgo/pkg/replay"
)

func load(t *testing.T, name string) *replay.Recording {
	t.Helper()
	paths, _ := filepath.Glob(filepath.Join(capture.Dir(), name+"_*.txt"))
	if len(paths) != 1 {
		t.Fatalf("capture %s: found %v", name, paths)
	}
	rec, err := replay.Load(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func startDaemon(t *testing.T, name string) *daemon.Daemon {
	t.Helper()
	d, err := daemon.Start(daemon.Config{Name: name, Port: 0, NoUnixSocket: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// Real Spread 4.4.0 conversations played against spgo's daemon get the
// answers the real daemon gave, group-id times and chosen names aside,
// whatever spgo's daemon is called.
func TestClientAgainstDaemon(t *testing.T) {
	for _, c := range []struct{ capture, daemon string }{
		{"01", "localhost"}, {"03", "localhost"}, {"11", "d1"}, {"12", "localhost"}, {"17", "other"}, {"25", "localhost"}, {"26", "localhost"},
	} {
		rec := load(t, c.capture)
		res, err := replay.Client(ctx(t), rec, replay.Options{Daemon: startDaemon(t, c.daemon).SpreadName(), Timeout: 5 * time.Second, Pause: -1})
		if err != nil {
			var d *replay.Difference
			if errors.As(err, &d) {
				t.Fatalf("%s: %v\n%s", rec.Name(), err, d.Detail())
			}
			t.Fatalf("%s: %v", rec.Name(), err)
		}
		if res.Conns != len(rec.Conns()) || res.Compared == 0 || res.Sent == 0 {
			t.Fatalf("%s: %+v", rec.Name(), res)
		}
	}
}

// A recording that does not match is a *Difference naming the line, with
// both frames decoded.
func TestClientDifference(t *testing.T) {
	src := load(t, "12")
	body, err := os.ReadFile(filepath.Join(capture.Dir(), src.Name()))
	if err != nil {
		t.Fatal(err)
	}
	// The first message A receives: change its payload's first byte.
	lines := strings.Split(string(body), "\n")
	target := 0
	for i, l := range lines {
		if strings.HasPrefix(l, "A D>C 81000080") { // UNRELIABLE data

			target = i
			break
		}
	}
	if target == 0 {
		t.Fatal("no data message to A in capture 12")
	}
	l := lines[target]
	last := l[len(l)-2:]
	repl := "00"
	if last == "00" {
		repl = "01"
	}
	lines[target] = l[:len(l)-2] + repl
	path := filepath.Join(t.TempDir(), "12_changed.txt")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	rec, err := replay.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = replay.Client(ctx(t), rec, replay.Options{Daemon: startDaemon(t, "localhost").SpreadName(), Timeout: 5 * time.Second, Pause: -1})
	var d *replay.Difference
	if !errors.As(err, &d) {
		t.Fatalf("replay of a changed recording: %v, want a Difference", err)
	}
	if d.Line != target+1 || d.Conn != "A" || d.Want == nil || d.Got == nil || d.Want.Kind != "data" || d.Got.Kind != "data" ||
		!strings.Contains(d.Detail(), "want: D>C data") || !strings.Contains(d.Detail(), " got: D>C data") {
		t.Fatalf("difference %v at line %d (want %d)\n%s", d, d.Line, target+1, d.Detail())
	}
}

// A daemon that is down is ErrDial.
func TestClientDaemonDown(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	name := spreadName(l)
	l.Close()
	_, err = replay.Client(ctx(t), load(t, "01"), replay.Options{Daemon: name, Timeout: time.Second})
	if !errors.Is(err, replay.ErrDial) {
		t.Fatalf("error %v, want ErrDial", err)
	}
}

// Each side played against the other: Daemon plays a recording's daemon
// side, Client its client side, and neither sees a difference; both
// compared everything.
func TestDaemonAgainstClient(t *testing.T) {
	for _, name := range []string{"01", "03", "06", "08", "11", "14", "18", "21", "23", "27"} {
		rec := load(t, name)
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() {
			_, err := replay.Daemon(ctx(t), rec, replay.Options{Timeout: 5 * time.Second}, l)
			done <- err
		}()
		_, cerr := replay.Client(ctx(t), rec, replay.Options{Daemon: spreadName(l), Timeout: 5 * time.Second, Pause: -1})
		derr := <-done
		l.Close()
		if cerr != nil || derr != nil {
			t.Fatalf("%s: client side: %v; daemon side: %v", rec.Name(), cerr, derr)
		}
	}
}

// spreadName is the daemon name of a TCP listener, PORT@127.0.0.1.
func spreadName(l net.Listener) string {
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port) + "@127.0.0.1"
}
