package tap_test

import (
	"fmt"
	"log"
	"time"

	"github.com/spgo/spgo/pkg/daemon"
	"github.com/spgo/spgo/pkg/spread"
	"github.com/spgo/spgo/pkg/tap"
)

// A tap in front of a daemon shows what a client says to it.
func Example() {
	d, err := daemon.Start(daemon.Config{Name: "localhost", Port: 0, NoUnixSocket: true})
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()

	said := make(chan string, 100)
	tp, err := tap.Start(tap.Config{Daemon: d.SpreadName(), Listen: "0", NoUnixSocket: true,
		OnFrame: func(f tap.Frame) {
			if f.Dir == tap.ClientToDaemon {
				said <- f.Session + ": " + f.Summary()
			}
		}})
	if err != nil {
		log.Fatal(err)
	}
	defer tp.Close()

	mb, err := spread.Connect(tp.SpreadName(), spread.WithName("alice"))
	if err != nil {
		log.Fatal(err)
	}
	defer mb.Disconnect()
	if err := mb.Join("chat"); err != nil {
		log.Fatal(err)
	}
	for range 3 {
		fmt.Println(<-said)
	}
	// Output:
	// alice: connect name=alice version=4.4.0 membership=true priority=0
	// alice: auth choice NULL
	// #alice#localhost: join chat
}

// A Conversation decodes the bytes of one connection, here a client's
// hello and the daemon's auth offer. FeedView hands out each frame as a
// view, valid during the call: rendering it into a reused buffer costs no
// allocation.
func ExampleConversation_FeedView() {
	c := tap.NewConversation(1)
	at := time.Date(2026, 1, 2, 15, 4, 5, 0, time.Local)
	var line []byte
	show := func(f *tap.Frame) {
		line = f.AppendText(line[:0])
		fmt.Println(string(line))
	}
	c.FeedView(tap.ClientToDaemon, []byte{4, 4, 0, 0x01, 5, 'a', 'l', 'i', 'c', 'e'}, at, show)
	c.FeedView(tap.DaemonToClient, []byte{5, 'N', 'U', 'L', 'L', ' '}, at, show)
	// Output:
	// 15:04:05.000000 [1] C>D alice connect name=alice version=4.4.0 membership=true priority=0
	// 15:04:05.000000 [1] D>C alice auth offer NULL
}
