package spreadtest_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/spgo/spgo/pkg/daemon/spreadtest"
	"github.com/spgo/spgo/pkg/spread"
)

// A test of a two-member chat on an embedded daemon. In a test, the body
// of inTest is the test function's and t is its *testing.T: the helpers
// fail the test (and list what arrived instead) rather than hang, and the
// mailboxes disconnect and the daemon stops when the test ends.
func Example() {
	inTest(func(t testing.TB) {
		d := spreadtest.Run(t)
		alice := spreadtest.Connect(t, d.SpreadName(), spread.WithName("alice"))
		bob := spreadtest.Connect(t, d.SpreadName(), spread.WithName("bob"))
		if err := alice.Join("chat"); err != nil {
			t.Fatal(err)
		}
		spreadtest.NextMembership(t, alice, time.Second) // her own join
		if err := bob.Join("chat"); err != nil {
			t.Fatal(err)
		}
		view := spreadtest.NextMembership(t, bob, time.Second)
		fmt.Println(view.Cause, view.Members)
		if err := alice.Multicast(spread.AgreedMess, "chat", []byte("hi bob"), 0); err != nil {
			t.Fatal(err)
		}
		m := spreadtest.NextMessage(t, bob, time.Second) // skips nothing: the view came first
		fmt.Printf("%s: %s\n", m.Sender, m.Data)
	})
	// Output:
	// join [#alice#localhost #bob#localhost]
	// #alice#localhost: hi bob
}

// A partition of a three-node ring in a test: Sync orders what the
// members wrote before each fault, so each side's line comes before the
// merge view.
func ExampleRing() {
	inTest(func(t testing.TB) {
		ring := spreadtest.Ring(t, 3)
		a := spreadtest.Connect(t, ring.Node("d1").SpreadName(), spread.WithName("a"))
		c := spreadtest.Connect(t, ring.Node("d3").SpreadName(), spread.WithName("c"))
		for _, mb := range []*spread.Mailbox{a, c} {
			if err := mb.Join("chat"); err != nil {
				t.Fatal(err)
			}
		}
		if err := ring.Sync(t.Context()); err != nil {
			t.Fatal(err)
		}
		if err := ring.Partition([]string{"d1", "d2"}, []string{"d3"}); err != nil {
			t.Fatal(err)
		}
		if err := a.Multicast(spread.AgreedMess, "chat", []byte("a alone"), 0); err != nil {
			t.Fatal(err)
		}
		if err := a.Flush(); err != nil {
			t.Fatal(err)
		}
		if err := ring.Sync(t.Context()); err != nil {
			t.Fatal(err)
		}
		if err := ring.Heal(); err != nil {
			t.Fatal(err)
		}
		m := spreadtest.NextMessage(t, a, time.Second) // after the views of the partition
		merge := spreadtest.NextMembership(t, a, time.Second)
		fmt.Printf("%s, then %s %v\n", m.Data, merge.Cause, merge.Members)
	})
	// Output:
	// a alone, then network [#a#d1 #c#d3]
}
