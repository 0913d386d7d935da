package daemon_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/spgo/spgo/pkg/daemon"
	"github.com/spgo/spgo/pkg/spread"
)

// receiveWithin is Receive bounded by a timeout: an example that waits for
// a message that never comes fails instead of hanging.
func receiveWithin(mb *spread.Mailbox, timeout time.Duration) spread.Message {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	m, err := mb.ReceiveContext(ctx)
	if err != nil {
		log.Fatalf("%s: %v", mb.PrivateGroup(), err)
	}
	return m
}

// A ring of three nodes in one process: members on d1 and d3, a partition
// that puts them apart, a line sent on each side, and the merge. Sync
// before each fault orders what the members wrote before it: without it a
// flushed line may still be unread when the fault comes, and be delivered
// after the merge view.
func ExampleStartRing() {
	r, err := daemon.StartRing(daemon.RingConfig{Nodes: 3, Node: daemon.Config{NoUnixSocket: true}})
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	show := func(mb *spread.Mailbox) {
		switch m := receiveWithin(mb, 5*time.Second).(type) {
		case *spread.MembershipMessage:
			fmt.Println(mb.PrivateGroup(), m.Cause, m.Members, m.VSSets, m.LocalVSSet)
		case *spread.RegularMessage:
			fmt.Printf("%s %q from %s\n", mb.PrivateGroup(), m.Data, m.Sender)
		}
	}
	var members []*spread.Mailbox
	for _, node := range []string{"d1", "d3"} {
		mb, err := spread.Connect(r.Node(node).SpreadName(), spread.WithName("m"))
		if err != nil {
			log.Fatal(err)
		}
		defer mb.Disconnect()
		if err := mb.Join("chat"); err != nil {
			log.Fatal(err)
		}
		members = append(members, mb)
	}
	if err := r.Sync(ctx); err != nil { // both joins come before the partition
		log.Fatal(err)
	}
	if err := r.Partition([]string{"d1", "d2"}, []string{"d3"}); err != nil {
		log.Fatal(err)
	}
	for _, mb := range members {
		if err := mb.Multicast(spread.AgreedMess, "chat", []byte("alone"), 0); err != nil {
			log.Fatal(err)
		}
		if err := mb.Flush(); err != nil {
			log.Fatal(err)
		}
	}
	if err := r.Sync(ctx); err != nil { // each line is ordered on its side
		log.Fatal(err)
	}
	if err := r.Heal(); err != nil {
		log.Fatal(err)
	}
	// d1 sees both joins, d3 only its own (d1 was already in); then each
	// sees the partition's two views, its side's line and the merge (its
	// vs set is the second for d3).
	for i, mb := range members {
		for range 6 - i {
			show(mb)
		}
	}
	// Output:
	// #m#d1 join [#m#d1] [[#m#d1]] 0
	// #m#d1 join [#m#d1 #m#d3] [[#m#d3]] 0
	// #m#d1 transition [] [] -1
	// #m#d1 network [#m#d1] [[#m#d1]] 0
	// #m#d1 "alone" from #m#d1
	// #m#d1 network [#m#d1 #m#d3] [[#m#d1] [#m#d3]] 0
	// #m#d3 join [#m#d1 #m#d3] [[#m#d3]] 0
	// #m#d3 transition [] [] -1
	// #m#d3 network [#m#d3] [[#m#d3]] 0
	// #m#d3 "alone" from #m#d3
	// #m#d3 network [#m#d1 #m#d3] [[#m#d1] [#m#d3]] 1
}
