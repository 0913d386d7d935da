package spreadtest

import (
	"bytes"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/spgo/spgo/internal/wire"
	"github.com/spgo/spgo/pkg/daemon"
)

// handshake connects over network/addr and returns the private group.
func handshake(t *testing.T, network, addr, name string) string {
	t.Helper()
	c, err := net.Dial(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	c.Write(wire.AppendHello(nil, 1, name))
	offer := make([]byte, 6)
	if _, err := io.ReadFull(c, offer); err != nil || !bytes.Equal(offer, []byte("\x05NULL ")) {
		t.Fatalf("offer %q %v", offer, err)
	}
	choice, _ := wire.AppendAuthChoice(nil, []string{"NULL"})
	c.Write(choice)
	acc := make([]byte, 5)
	if _, err := io.ReadFull(c, acc); err != nil || acc[0] != 1 {
		t.Fatalf("accept %x %v", acc, err)
	}
	pg := make([]byte, acc[4])
	io.ReadFull(c, pg)
	return string(pg)
}

func TestRun(t *testing.T) {
	var d *daemon.Daemon
	t.Run("inner", func(t *testing.T) {
		d = Run(t)
		if !strings.HasSuffix(d.SpreadName(), "@127.0.0.1") || d.UnixName() != "" {
			t.Fatalf("names %q %q", d.SpreadName(), d.UnixName())
		}
		if got := handshake(t, "tcp", d.TCPAddr().String(), "t"); got != "#t#localhost" {
			t.Fatalf("private group %q", got)
		}
		if got := handshake(t, "unix", d.UnixPath(), "u"); got != "#u#localhost" {
			t.Fatalf("private group over unix %q", got)
		}
	})
	// Cleanup has closed the daemon and removed its socket.
	if _, err := net.Dial("tcp", d.TCPAddr().String()); err == nil {
		t.Fatal("daemon still listening after the test's cleanup")
	}
	if _, err := os.Lstat(d.UnixPath()); !os.IsNotExist(err) {
		t.Fatalf("socket left: %v", err)
	}
}

func TestRunOptions(t *testing.T) {
	d := Run(t, WithName("other"), WithConfig(func(c *daemon.Config) { c.NoUnixSocket = true }))
	if d.Name() != "other" || d.UnixPath() != "" {
		t.Fatalf("name %q path %q", d.Name(), d.UnixPath())
	}
	if got := handshake(t, "tcp", d.TCPAddr().String(), "t"); got != "#t#other" {
		t.Fatalf("private group %q", got)
	}
}

// TestRunLongTestNameSocketPath: t.TempDir() under a long test name can
// exceed the 108-byte limit of a Unix socket path; Run still works.
func TestRunLongTestNameSocketPathWithAVeryLongNameThatKeepsGoingAndGoingForMoreThanAHundredBytes(t *testing.T) {
	d := Run(t)
	if len(d.UnixPath()) > 104 {
		t.Fatalf("socket path %d bytes", len(d.UnixPath()))
	}
	handshake(t, "unix", d.UnixPath(), "t")
}

func TestDaemon(t *testing.T) {
	t.Setenv(EnvDaemon, "")
	name := Daemon(t)
	if !strings.HasSuffix(name, "@127.0.0.1") {
		t.Fatalf("embedded daemon name %q", name)
	}
	t.Setenv(EnvDaemon, "4803@example")
	if got := Daemon(t); got != "4803@example" {
		t.Fatalf("got %q, want the environment's daemon", got)
	}
}

func TestRing(t *testing.T) {
	r := Ring(t, 3)
	for k, d := range r.Nodes() {
		want := "#t#d" + string(rune('1'+k))
		if got := handshake(t, "tcp", d.TCPAddr().String(), "t"); got != want {
			t.Fatalf("node %d: private group %q, want %q", k+1, got, want)
		}
	}
	if err := r.Crash("d2"); err != nil {
		t.Fatal(err)
	}
	if _, err := net.Dial("tcp", r.Node("d2").TCPAddr().String()); err == nil {
		t.Fatal("crashed node still listening")
	}
}
