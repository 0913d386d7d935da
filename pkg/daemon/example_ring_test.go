package daemon_test

import (
	"fmt"
	"log"

	"github.com/spgo/spgo/pkg/daemon"
	"github.com/spgo/spgo/pkg/spread"
)

// A ring of three nodes in one process: members on d1 and d3, a partition
// that puts them apart, and the merge.
func ExampleStartRing() {
	r, err := daemon.StartRing(daemon.RingConfig{Nodes: 3, Node: daemon.Config{NoUnixSocket: true}})
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	show := func(mb *spread.Mailbox) {
		m, err := mb.Receive()
		if err != nil {
			log.Fatal(err)
		}
		mm := m.(*spread.MembershipMessage)
		fmt.Println(mb.PrivateGroup(), mm.Cause, mm.Members, mm.VSSets, mm.LocalVSSet)
	}
	var members []*spread.Mailbox
	for _, node := range []string{"d1", "d3"} {
		mb, err := spread.Connect(r.Node(node).SpreadName(), spread.WithName("m"))
		if err != nil {
			log.Fatal(err)
		}
		defer mb.Disconnect()
		mb.Join("chat")
		show(mb) // its own join
		members = append(members, mb)
	}
	show(members[0]) // d3's member joins
	r.Partition([]string{"d1", "d2"}, []string{"d3"})
	show(members[0]) // transitional
	show(members[0]) // its side alone
	r.Heal()
	show(members[0])
	show(members[1]) // transitional
	show(members[1]) // its side alone
	show(members[1]) // the merge: its vs set is the second
	// Output:
	// #m#d1 join [#m#d1] [[#m#d1]] 0
	// #m#d3 join [#m#d1 #m#d3] [[#m#d3]] 0
	// #m#d1 join [#m#d1 #m#d3] [[#m#d3]] 0
	// #m#d1 transition [] [] -1
	// #m#d1 network [#m#d1] [[#m#d1]] 0
	// #m#d1 network [#m#d1 #m#d3] [[#m#d1] [#m#d3]] 0
	// #m#d3 transition [] [] -1
	// #m#d3 network [#m#d3] [[#m#d3]] 0
	// #m#d3 network [#m#d1 #m#d3] [[#m#d1] [#m#d3]] 1
}
