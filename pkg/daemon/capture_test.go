package daemon

import (
	"testing"
)

// startTest starts a daemon named "localhost" (so private groups match the
// captures) on a free loopback port without a Unix socket.
func startTest(t testing.TB, mod ...func(*Config)) *Daemon {
	t.Helper()
	cfg := Config{Name: "localhost", NoUnixSocket: true}
	for _, m := range mod {
		m(&cfg)
	}
	d, err := Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// TestCaptureReplay replays every capture that a single fresh daemon can
// reproduce and compares the daemon's bytes with the real daemon's.
func TestCaptureReplay(t *testing.T) {
	for _, name := range []string{"01", "02", "03", "04", "05", "06", "07", "08",
		"10", "11", "12", "13", "14", "15", "16", "17", "18", "19", "20", "21",
		"23", "24", "25", "26", "27"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := loadCapture(t, name)
			newReplayer(t, startTest(t), f).run(0)
		})
	}
}

// TestCaptureReplayUnix: the Unix socket carries the same bytes (captures
// whose every request is answered, so no pacing is needed).
func TestCaptureReplayUnix(t *testing.T) {
	for _, name := range []string{"01", "05", "10", "11", "12", "13", "17", "25"} {
		t.Run(name, func(t *testing.T) {
			d := startTest(t, func(c *Config) { c.NoUnixSocket = false; c.SocketDir = t.TempDir() })
			r := newReplayer(t, d, loadCapture(t, name))
			r.unix = true
			r.run(0)
		})
	}
}
