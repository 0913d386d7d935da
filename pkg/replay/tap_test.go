package replay_test

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/spgo/spgo/internal/capture"
	"github.com/spgo/spgo/pkg/replay"
	"github.com/spgo/spgo/pkg/tap"
)

// A real daemon's recorded conversations, played through a recording tap
// (the daemon side by Daemon, the client side by Client), are recorded
// again exactly: the same connections with the same units in each
// direction, in the same order, and the same closes.
func TestTapRecordsWhatPassed(t *testing.T) {
	for _, name := range []string{"03", "11", "21", "25", "26", "27"} {
		rec := load(t, name)
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "again.txt")
		out, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		tp, err := tap.Start(tap.Config{Daemon: spreadName(l), Listen: "0", NoUnixSocket: true, Record: out})
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() {
			_, err := replay.Daemon(ctx(t), rec, replay.Options{Timeout: 5 * time.Second}, l)
			done <- err
		}()
		_, cerr := replay.Client(ctx(t), rec, replay.Options{Daemon: tp.SpreadName(), Timeout: 5 * time.Second, Pause: -1})
		derr := <-done
		if cerr != nil || derr != nil {
			t.Fatalf("%s through the tap: client side: %v; daemon side: %v", rec.Name(), cerr, derr)
		}
		l.Close()
		tp.Close()
		out.Close()
		again, err := capture.Read(path)
		if err != nil {
			t.Fatal(err)
		}
		original, _ := capture.Read(filepath.Join(capture.Dir(), rec.Name()))
		sameConversations(t, original, again)
	}
}

// sameConversations compares two recordings connection by connection.
func sameConversations(t *testing.T, want, got *capture.File) {
	t.Helper()
	if len(got.Conns()) != len(want.Conns()) {
		t.Fatalf("%s: %d connections recorded again, %d recorded", want.Name, len(got.Conns()), len(want.Conns()))
	}
	for i, label := range want.Conns() {
		again := got.Conns()[i]
		for _, dir := range []string{capture.ClientToDaemon, capture.DaemonToClient} {
			w, g := want.Units(label, dir), got.Units(again, dir)
			if !bytes.Equal(bytes.Join(w, nil), bytes.Join(g, nil)) {
				t.Errorf("%s %s %s: the stream recorded again differs", want.Name, label, dir)
				continue
			}
			if len(w) != len(g) {
				t.Logf("%s %s %s: same bytes, cut into %d units instead of %d", want.Name, label, dir, len(g), len(w))
			}
		}
		if w, g := closedBy(want, label), closedBy(got, again); w != g {
			t.Errorf("%s %s: closed by %q, recorded again as %q", want.Name, label, w, g)
		}
	}
}

// closedBy is who closed conn in f: "C", "D", or "" when it stayed open.
func closedBy(f *capture.File, conn string) string {
	for _, e := range f.Events {
		if e.Kind == capture.Close && e.Conn == conn {
			return e.By
		}
	}
	return ""
}
