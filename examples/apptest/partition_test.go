package apptest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/spgo/spgo/pkg/daemon/spreadtest"
	"github.com/spgo/spgo/pkg/spread"
)

const wait = 5 * time.Second

// rounds is how many times the partition is played: without the barrier
// most rounds got a line after the merge view.
const rounds = 100

// A line multicast and flushed on each side of a partition, then
// Ring.Sync, then Heal: every member gets its side's line before the
// merge view, and the other side's never. Nothing waits for its own
// deliveries and nothing sleeps.
func TestLinesBeforeTheMerge(t *testing.T) {
	for round := range rounds {
		t.Run(fmt.Sprint("round ", round), playPartition)
	}
}

func playPartition(t *testing.T) {
	ring := spreadtest.Ring(t, 3)
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	var members []*spread.Mailbox
	for _, node := range []string{"d1", "d3"} {
		mb := spreadtest.Connect(t, ring.Node(node).SpreadName(), spread.WithName("m"))
		if err := mb.Join("chat"); err != nil {
			t.Fatal(err)
		}
		members = append(members, mb)
	}
	// The joins are ordered before the partition, so both are in one view.
	if err := ring.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if err := ring.Partition([]string{"d1", "d2"}, []string{"d3"}); err != nil {
		t.Fatal(err)
	}
	for _, mb := range members {
		line := mb.PrivateGroup() + " alone"
		if err := mb.Multicast(spread.AgreedMess, "chat", []byte(line), 0); err != nil {
			t.Fatal(err)
		}
		if err := mb.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	if err := ring.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if err := ring.Heal(); err != nil {
		t.Fatal(err)
	}
	for _, mb := range members {
		lines := linesBeforeMerge(t, mb)
		if want := []string{mb.PrivateGroup() + " alone"}; !slices.Equal(lines, want) {
			t.Fatalf("%s: lines before the merge view %q, want %q", mb.PrivateGroup(), lines, want)
		}
	}
}

// linesBeforeMerge returns the data mb receives before the view that
// holds both members again after the partition.
func linesBeforeMerge(t *testing.T, mb *spread.Mailbox) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	var lines []string
	apart := false
	for {
		msg, err := mb.ReceiveContext(ctx)
		if err != nil {
			t.Fatalf("%s: no merge view (%v); lines so far %q", mb.PrivateGroup(), err, lines)
		}
		switch m := msg.(type) {
		case *spread.RegularMessage:
			lines = append(lines, string(m.Data))
		case *spread.MembershipMessage:
			if m.Cause == spread.CauseNetwork && len(m.Members) == 1 {
				apart = true
			}
			if apart && m.Cause == spread.CauseNetwork && len(m.Members) == 2 {
				return lines
			}
		}
	}
}
