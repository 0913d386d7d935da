package statusudp_test

import (
	"context"
	"fmt"
	"log"
	"net"
	"net/netip"
	"time"

	"github.com/spgo/spgo/pkg/daemon"
	"github.com/spgo/spgo/pkg/daemon/statusudp"
	"github.com/spgo/spgo/pkg/spreadmon"
)

// Make an embedded daemon answer Spread's monitor status query on UDP at
// its TCP address and port, as spgo daemon does, and ask it as spmonitor
// would.
func ExampleServeNodes() {
	d, err := daemon.Start(daemon.Config{Name: "d1", NoUnixSocket: true})
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()
	g, err := statusudp.ServeNodes([]*daemon.Daemon{d}, nil, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer g.Close()
	addr := g.Responders()[0].Addr().(*net.UDPAddr).AddrPort()
	fmt.Println(addr.String() == d.TCPAddr().String())

	p, err := spreadmon.NewPoller(netip.MustParseAddr("127.0.0.1"), []spreadmon.Target{{Name: "d1", Addr: addr}})
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()
	res := p.Poll(context.Background(), time.Second)
	if res[0].Err != nil {
		log.Fatal(res[0].Err)
	}
	fmt.Println(spreadmon.StateName(res[0].Status.State), res[0].Status.NumProcs, "daemon")
	// Output:
	// true
	// OP 1 daemon
}
