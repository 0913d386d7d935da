package spreadtest_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spgo/spgo/pkg/daemon/spreadtest"
	"github.com/spgo/spgo/pkg/spread"
)

// A mailbox from Connect disconnects when its test ends: the other member
// sees it leave by disconnecting.
func TestConnectDisconnectsAtCleanup(t *testing.T) {
	d := spreadtest.Run(t)
	watcher := spreadtest.Connect(t, d.SpreadName(), spread.WithName("w"))
	if err := watcher.Join("g"); err != nil {
		t.Fatal(err)
	}
	spreadtest.NextMembership(t, watcher, 5*time.Second)
	failed := runTest(func(t testing.TB) {
		mb := spreadtest.Connect(t, d.SpreadName(), spread.WithName("gone"))
		if err := mb.Join("g"); err != nil {
			t.Fatal(err)
		}
	})
	if failed != "" {
		t.Fatal(failed)
	}
	if m := spreadtest.NextMembership(t, watcher, 5*time.Second); m.Cause != spread.CauseJoin {
		t.Fatalf("got %v, want the join of #gone", m.Cause)
	}
	m := spreadtest.NextMembership(t, watcher, 5*time.Second)
	if m.Cause != spread.CauseDisconnect || !slices.Equal(m.Changed, []string{"#gone#localhost"}) {
		t.Fatalf("got %v of %v, want #gone#localhost's disconnect", m.Cause, m.Changed)
	}
}

// Connect fails the test with the daemon's name and the reason.
func TestConnectFails(t *testing.T) {
	d := spreadtest.Run(t)
	failed := runTest(func(t testing.TB) {
		spreadtest.Connect(t, d.SpreadName(), spread.WithName("way too long a name"))
		t.Errorf("Connect returned")
	})
	if !strings.Contains(failed, "spreadtest: connect to "+d.SpreadName()) || !strings.Contains(failed, "name") || strings.Contains(failed, "returned") {
		t.Fatalf("failure %q", failed)
	}
}

// NextMessage and NextMembership fail the test, within their timeout,
// listing what arrived instead of what they wait for.
func TestNextFailsWithWhatArrived(t *testing.T) {
	d := spreadtest.Run(t)
	failed := runTest(func(t testing.TB) {
		mb := spreadtest.Connect(t, d.SpreadName(), spread.WithName("a"))
		if err := mb.Join("g"); err != nil {
			t.Fatal(err)
		}
		spreadtest.NextMessage(t, mb, 100*time.Millisecond)
		t.Errorf("NextMessage returned")
	})
	want := "spreadtest: #a#localhost: no data message within 100ms (context deadline exceeded); arrived instead: membership join of g: [#a#localhost]"
	if failed != want {
		t.Fatalf("failure\n%s\nwant\n%s", failed, want)
	}
	failed = runTest(func(t testing.TB) {
		mb := spreadtest.Connect(t, d.SpreadName(), spread.WithName("b"), spread.WithMembership(false))
		for _, text := range []string{"one", "two"} {
			if err := mb.Multicast(spread.FIFOMess, mb.PrivateGroup(), []byte(text), 0); err != nil {
				t.Fatal(err)
			}
		}
		spreadtest.NextMembership(t, mb, 100*time.Millisecond)
		t.Errorf("NextMembership returned")
	})
	want = `spreadtest: #b#localhost: no membership message within 100ms (context deadline exceeded); arrived instead: data from #b#localhost to [#b#localhost]: "one"; data from #b#localhost to [#b#localhost]: "two"`
	if failed != want {
		t.Fatalf("failure\n%s\nwant\n%s", failed, want)
	}
}
