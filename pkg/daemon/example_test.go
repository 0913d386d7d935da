package daemon_test

import (
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/spgo/spgo/pkg/daemon"
	"github.com/spgo/spgo/pkg/spread"
)

// An embedded daemon on a free loopback port, and a client talking to it.
func ExampleStart() {
	d, err := daemon.Start(daemon.Config{Name: "localhost", NoUnixSocket: true})
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()
	fmt.Println(strings.HasSuffix(d.SpreadName(), "@127.0.0.1"))

	mb, err := spread.Connect(d.SpreadName(), spread.WithName("alice"))
	if err != nil {
		log.Fatal(err)
	}
	defer mb.Disconnect()
	fmt.Println(mb.PrivateGroup())
	if err := mb.Join("chat"); err != nil {
		log.Fatal(err)
	}
	if err := mb.Multicast(spread.AgreedMess, "chat", []byte("hello"), 1); err != nil {
		log.Fatal(err)
	}
	for range 2 { // her own join, then her message
		switch m := receiveWithin(mb, 5*time.Second).(type) {
		case *spread.MembershipMessage:
			fmt.Println("members of", m.Group, m.Members)
		case *spread.RegularMessage:
			fmt.Printf("%s from %s\n", m.Data, m.Sender)
		}
	}
	fmt.Println(d.Stats().Sessions, "session,", d.Stats().Groups, "group")
	// Output:
	// true
	// #alice#localhost
	// members of chat [#alice#localhost]
	// hello from #alice#localhost
	// 1 session, 1 group
}
