// Package spreadtest starts embedded Spread daemons for tests, in the
// manner of miniredis.RunT and httptest: a free port, cleanup registered
// with t. Run starts a daemon and Ring a ring of them (whose Sync orders
// what clients wrote before a fault); Connect gives a mailbox that
// disconnects when the test ends; NextMembership and NextMessage wait,
// with a timeout, for the next message of their kind and fail the test
// with what arrived instead, so that a test never hangs on a view that
// does not come. Scripted plays a fixed sequence of frames to a client.
//
// The same tests can run against real daemons: Daemon returns the daemon
// SPGO_TEST_DAEMON names (EnvDaemon), else starts one with Run, and
// RingDaemons the ring SPGO_TEST_RING names, else an in-process ring
// (RingTarget.Faults gives its fault controls, skipping with the reason on
// a real ring). ServeStatus makes a daemon answer Spread's monitor status
// query, as spgo daemon does, for tests of pkg/spreadmon.
package spreadtest

import (
	"os"
	"testing"

	"github.com/spgo/spgo/pkg/daemon"
)

// EnvDaemon names the environment variable that points the integration
// tests at an external daemon ("4803@localhost", "4803").
const EnvDaemon = "SPGO_TEST_DAEMON"

// Option changes the Config of a daemon started by Run.
type Option func(*daemon.Config)

// WithName sets the daemon name (default "localhost", so private groups
// look like the captures': "#alice#localhost").
func WithName(name string) Option { return func(c *daemon.Config) { c.Name = name } }

// WithConfig lets a test change any Config field.
func WithConfig(f func(*daemon.Config)) Option { return Option(f) }

// Run starts a daemon named "localhost" on 127.0.0.1 with a free TCP port
// and its Unix socket in t.TempDir(), and registers its Close with
// t.Cleanup. It fails the test if the daemon cannot start.
func Run(t testing.TB, opts ...Option) *daemon.Daemon {
	t.Helper()
	cfg := daemon.Config{Name: "localhost", Host: "127.0.0.1", SocketDir: socketDir(t)}
	for _, o := range opts {
		o(&cfg)
	}
	d, err := daemon.Start(cfg)
	if err != nil {
		t.Fatalf("spreadtest: start daemon: %v", err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Errorf("spreadtest: close daemon: %v", err)
		}
	})
	return d
}

// maxSocketDir keeps <dir>/<port> within the 108-byte sun_path limit.
const maxSocketDir = 100

// socketDir is t.TempDir(), or a shorter temporary directory when that
// path is too long for a Unix socket.
func socketDir(t testing.TB) string {
	dir := t.TempDir()
	if len(dir) <= maxSocketDir {
		return dir
	}
	dir, err := os.MkdirTemp("", "spgo")
	if err != nil {
		t.Fatalf("spreadtest: socket directory: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// Daemon returns the daemon name integration tests connect to: the value
// of SPGO_TEST_DAEMON when set (a real daemon), else the SpreadName of a
// daemon started with Run.
func Daemon(t testing.TB) string {
	t.Helper()
	if s := os.Getenv(EnvDaemon); s != "" {
		return s
	}
	return Run(t).SpreadName()
}
