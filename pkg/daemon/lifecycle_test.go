package daemon

import (
	"bytes"
	"errors"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spgo/spgo/internal/wire"
)

// TestQuota: the session after MaxSessions (handshakes included) gets
// REJECT_QUOTA (0xfd) before it has sent anything (capture 09_reject_quota.txt); a freed slot
// can be used again.
func TestQuota(t *testing.T) {
	d := startTest(t, func(c *Config) { c.MaxSessions = 3 })
	connect(t, d, "a", true)
	connect(t, d, "b", true)
	pending := dial(t, d) // counts while it has not even sent its hello
	waitStats(t, d, func(s Stats) bool { return s.Handshakes == 1 })
	over := dial(t, d)
	got := make([]byte, 2)
	n, err := readFull(over, got)
	if n != 1 || got[0] != 0xfd || !isClosed(err) {
		t.Fatalf("over quota: %x %v, want fd then close", got[:n], err)
	}
	// libspread sends its hello anyway and reads 0xfd as the offer length.
	if _, err := tryHandshake(dial(t, d), "late", true); err == nil || err.Error() != "reject 0xfd" {
		t.Fatalf("libspread-style client over quota: %v", err)
	}
	pending.Close()
	waitStats(t, d, func(s Stats) bool { return s.Handshakes == 0 })
	connect(t, d, "c", true)
	if st := d.Stats(); st.Rejected != 2 || st.Sessions != 3 {
		t.Fatalf("stats %+v", st)
	}
}

// TestNotUniqueIncludesAuthenticating: a name held by a session still in
// the auth phase is not unique (docs/protocol.md §4.3 step 8); capture 05_reject_not_unique.txt covers live ones.
func TestNotUniqueIncludesAuthenticating(t *testing.T) {
	d := startTest(t)
	c := dial(t, d)
	c.Write(wire.AppendHello(nil, 1, "dup"))
	if _, err := readFull(c, make([]byte, 6)); err != nil {
		t.Fatal(err)
	}
	if _, err := tryHandshake(dial(t, d), "dup", true); err == nil || err.Error() != "reject 0xfa" {
		t.Fatalf("got %v, want reject 0xfa", err)
	}
}

// TestUnixSocket: the socket is <SocketDir>/<port>, a stale socket is
// replaced, anything else at that path is refused, and clients speak the
// same protocol over it.
func TestUnixSocket(t *testing.T) {
	dir := t.TempDir()
	port := freePort(t)
	path := filepath.Join(dir, strconv.Itoa(port))
	// A stale socket file from a dead daemon.
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	l.Close()
	d, err := Start(Config{Name: "localhost", Port: port, SocketDir: dir})
	if err != nil {
		t.Fatalf("stale socket not replaced: %v", err)
	}
	if d.UnixPath() != path || d.UnixName() != "" || d.SpreadName() != strconv.Itoa(port)+"@127.0.0.1" {
		t.Fatalf("names %q %q %q", d.UnixPath(), d.UnixName(), d.SpreadName())
	}
	a := dialRaw(t, "unix", path, "ux", true)
	a.join("u")
	a.expectMembership(wire.CausedByJoin, "u", "#ux#localhost")
	b := connect(t, d, "tc", true)
	b.send(wire.AgreedMess, []string{"u"}, 5, []byte("over tcp"))
	a.expectData([]byte("over tcp"))
	d.Close()

	// A regular file is never removed.
	if err := os.WriteFile(path, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Start(Config{Name: "localhost", Port: port, SocketDir: dir, NoTCP: true}); err == nil || !strings.Contains(err.Error(), "not a socket") {
		t.Fatalf("start over a regular file: %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "keep" {
		t.Fatal("regular file touched")
	}
}

// TestUnixOnlyDefaultDir: with the socket in /tmp the bare port is the
// daemon's name, as libspread maps "<port>" to /tmp/<port>.
func TestUnixOnlyDefaultDir(t *testing.T) {
	d, err := Start(Config{Name: "localhost", NoTCP: true})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if d.TCPAddr() != nil || d.UnixName() != strconv.Itoa(d.Port()) || d.SpreadName() != d.UnixName() ||
		d.UnixPath() != "/tmp/"+d.UnixName() {
		t.Fatalf("names: tcp %v unix %q spread %q path %q", d.TCPAddr(), d.UnixName(), d.SpreadName(), d.UnixPath())
	}
	dialRaw(t, "unix", d.UnixPath(), "x", true)
}

// TestServeConnPipe: in-memory connections behave like accepted ones.
func TestServeConnPipe(t *testing.T) {
	d := startTest(t)
	pipe := func(name string) *rawClient {
		c, s := net.Pipe()
		d.ServeConn(s)
		return handshakeRaw(t, c, name, true)
	}
	a, b := pipe("pa"), pipe("pb")
	a.join("p")
	a.expectMembership(wire.CausedByJoin, "p", "#pa#localhost")
	b.join("p")
	b.expectMembership(wire.CausedByJoin, "p", "#pa#localhost", "#pb#localhost")
	a.expectMembership(wire.CausedByJoin, "p", "#pa#localhost", "#pb#localhost")
	b.send(wire.SafeMess|wire.SelfDiscard, []string{"p"}, -1, []byte("piped"))
	if m := a.expectData([]byte("piped")); m.Sender.String() != "#pb#localhost" {
		t.Fatalf("sender %q", m.Sender.String())
	}
	b.kill()
	a.expectMembership(wire.CausedByDisconnect, "p", "#pa#localhost")
}

// TestConfigErrors: bad settings are refused with the field and the rule.
func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{Name: "has#hash"}, "0x23"},
		{Config{Name: "abcdefghijklmnopqrstu"}, "allowed 1..19"},
		{Config{Port: 70000}, "out of range"},
		{Config{NoTCP: true, NoUnixSocket: true}, "no listener"},
		{Config{MaxSessions: -1}, "MaxSessions"},
		{Config{MaxSessionMessages: -1}, "MaxSessionMessages"},
		{Config{HandshakeTimeout: -time.Second}, "HandshakeTimeout"},
	} {
		_, err := Start(tc.cfg)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: got %v, want %q", tc.cfg, err, tc.want)
		}
		var ce *ConfigError
		if !errors.As(err, &ce) {
			t.Errorf("%+v: %T is not a *ConfigError", tc.cfg, err)
		}
	}
	if n := defaultName(); checkDaemonName(n) != nil || len(n) > 19 {
		t.Errorf("default name %q", n)
	}
}

// TestLogLines: one readable, greppable line per session event.
func TestLogLines(t *testing.T) {
	var mu sync.Mutex
	var buf bytes.Buffer
	h := slog.NewTextHandler(lockedWriter{&mu, &buf}, &slog.HandlerOptions{Level: slog.LevelDebug})
	d := startTest(t, func(c *Config) { c.Logger = slog.New(h) })
	a := connect(t, d, "alice", true)
	addr := a.c.LocalAddr().String()
	if _, err := tryHandshake(dial(t, d), "alice", true); err == nil {
		t.Fatal("duplicate accepted")
	}
	a.writeRaw(rawHeader(wire.AgreedMess|wire.EndianMarker, "#alice#localhost", 1, wire.EndianMarker, 0x7fffffff))
	a.expectClosed()
	d.Close()
	mu.Lock()
	out := buf.String()
	mu.Unlock()
	for _, re := range []string{
		`level=INFO msg="daemon started" name=localhost tcp=127\.0\.0\.1:\d+`,
		`level=INFO msg="session connected" session=#alice#localhost remote=` + regexp.QuoteMeta(addr) + ` membership=true`,
		`level=WARN msg="session rejected" session=- remote=127\.0\.0\.1:\d+ code=REJECT_NOT_UNIQUE reason="private name \\"alice\\" is in use"`,
		`level=WARN msg="session closed" session=#alice#localhost remote=` + regexp.QuoteMeta(addr) + ` reason="killed: bad header: spread wire: header: data_len \(got 2147483647, limit 144000\)"`,
		`level=INFO msg="daemon stopped"`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("log lacks %s\n%s", re, out)
		}
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// waitLimit ends a wait for the daemon's state in a test that has already
// failed: generous, so that a loaded machine (the race detector, parallel
// packages) is not mistaken for a daemon that never gets there.
const waitLimit = time.Minute

// waitUntil reports whether cond holds, looking again at each change of
// the state of d's ring (sessions, handshakes, groups, steps, read
// progress) until it does or limit passes.
func waitUntil(d *Daemon, limit time.Duration, cond func() bool) bool {
	return d.seq.changed.awaitChange(time.Now().Add(limit), cond)
}

func waitStats(t testing.TB, d *Daemon, cond func(Stats) bool) {
	t.Helper()
	if !waitUntil(d, waitLimit, func() bool { return cond(d.Stats()) }) {
		t.Fatalf("stats never matched: %+v", d.Stats())
	}
}

// waitWritten waits until the writers of d's live sessions have accounted
// for every frame queued to them, woken by each write they complete
// (outQueue.progress, what held-back senders wait on too).
func waitWritten(t testing.TB, d *Daemon) {
	t.Helper()
	d.seq.mu.Lock()
	var live []*session
	for _, s := range d.reg.byName {
		if s.state == stateLive {
			live = append(live, s)
		}
	}
	d.seq.mu.Unlock()
	timeout := time.NewTimer(waitLimit)
	defer timeout.Stop()
	for _, s := range live {
		o := &s.out
		o.mu.Lock()
		for o.queued != 0 {
			if o.progress == nil {
				o.progress = make(chan struct{})
			}
			progress := o.progress
			o.mu.Unlock()
			select {
			case <-progress:
			case <-timeout.C:
				o.mu.Lock()
				queued := o.queued
				o.mu.Unlock()
				t.Fatalf("session %s: %d messages still queued", s.pgroup, queued)
			}
			o.mu.Lock()
		}
		o.mu.Unlock()
	}
}

// TestControlSurface: Sessions, Groups, Members, Stats and KillSession.
func TestControlSurface(t *testing.T) {
	d := startTest(t)
	a := connect(t, d, "a", true)
	b := connect(t, d, "b", false)
	a.join("z")
	a.join("y")
	b.join("z")
	waitMembers(t, d, "z", 2)
	waitMembers(t, d, "y", 1)
	if got := strings.Join(d.Sessions(), ","); got != "#a#localhost,#b#localhost" {
		t.Fatalf("sessions %s", got)
	}
	if got := strings.Join(d.Groups(), ","); got != "y,z" {
		t.Fatalf("groups %s", got)
	}
	if got := strings.Join(d.Members("z"), ","); got != "#a#localhost,#b#localhost" || d.Members("nope") != nil {
		t.Fatalf("members %s", got)
	}
	if !d.KillSession("#a#localhost") || d.KillSession("a") {
		t.Fatal("KillSession")
	}
	a.expectClosed()
	waitStats(t, d, func(s Stats) bool { return s.Sessions == 1 && s.Groups == 1 && s.Kills == 1 })
	if !d.KillSession("b") {
		t.Fatal("KillSession by private name")
	}
	b.expectClosed()
}

// TestLiveUnixSocketNotTakenOver: a second daemon on the same port's socket
// is refused while the first still accepts, the first's socket survives the
// attempt, and a daemon whose socket file was replaced by someone else's
// leaves that file alone at Close.
func TestLiveUnixSocketNotTakenOver(t *testing.T) {
	dir := t.TempDir()
	first, err := Start(Config{Name: "a", SocketDir: dir, NoTCP: true})
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	path := first.UnixPath()
	second, err := Start(Config{Name: "b", Port: first.Port(), SocketDir: dir, NoTCP: true})
	if err == nil {
		second.Close()
		t.Fatal("second daemon took over a live unix socket")
	}
	if !errors.Is(err, ErrSocketInUse) || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), path) {
		t.Fatalf("error %q: want one line naming %s and wrapping ErrSocketInUse", err, path)
	}
	a := dialRaw(t, "unix", path, "still", true)
	a.join("g")
	a.expectMembership(wire.CausedByJoin, "g", "#still#a")

	// Someone else's socket at our path after us: not ours to remove.
	third, err := Start(Config{Name: "c", SocketDir: t.TempDir(), NoTCP: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(third.UnixPath()); err != nil {
		t.Fatal(err)
	}
	other, err := net.Listen("unix", third.UnixPath())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := third.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(third.UnixPath()); err != nil {
		t.Fatalf("another listener's socket was removed: %v", err)
	}
}
