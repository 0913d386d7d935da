package tap_test

import (
	"fmt"
	"log"

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
