package ringctl_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/spgo/spgo/pkg/daemon"
	"github.com/spgo/spgo/pkg/daemon/ringctl"
)

// A ring served on a control socket, driven as `spgo daemon ctl` drives
// it: every reply is the layout after the command.
func Example() {
	r, err := daemon.StartRing(daemon.RingConfig{Nodes: 3, Node: daemon.Config{NoUnixSocket: true}})
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	dir, err := os.MkdirTemp("", "ringctl")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	srv, err := ringctl.Serve(r, filepath.Join(dir, "ring.ctl"))
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	for _, cmd := range []string{"partition d1,d2/d3", "crash d2", "heal", "restart d2", "crash d9"} {
		reply, err := ringctl.Send(srv.Path(), cmd)
		if err != nil {
			fmt.Println(cmd, "->", err)
			continue
		}
		l, err := ringctl.ParseLayout(reply)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(cmd, "->", reply, "live:", l.Live())
	}
	// Output:
	// partition d1,d2/d3 -> d1,d2/d3 live: [d1 d2 d3]
	// crash d2 -> d1/d3 crashed=d2 live: [d1 d3]
	// heal -> d1,d3 crashed=d2 live: [d1 d3]
	// restart d2 -> d1,d2,d3 live: [d1 d2 d3]
	// crash d9 -> daemon: unknown node "d9", the nodes are d1, d2, d3
}
