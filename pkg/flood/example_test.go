package flood_test

import (
	"context"
	"fmt"
	"log"

	"github.com/spgo/spgo/pkg/daemon"
	"github.com/spgo/spgo/pkg/flood"
	"github.com/spgo/spgo/pkg/spread"
)

// Flood an embedded daemon with 1000 AGREED messages from one sender to
// one receiver, and judge the run.
func ExampleRun() {
	d, err := daemon.Start(daemon.Config{Name: "d1", NoUnixSocket: true})
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()
	res, err := flood.Run(context.Background(), flood.Config{Daemon: d.SpreadName(), Count: 1000, Size: 100,
		Services: []spread.ServiceType{spread.AgreedMess}})
	if err != nil {
		log.Fatal(err)
	}
	s := res.Services[0]
	fmt.Printf("%s in group %s: sent %d, delivered %d, lost %d: %s\n", s.Service, s.Group, s.Sent, s.Delivered, s.Lost, s.Verdict)
	// Output:
	// AGREED in group flooder: sent 1000, delivered 1000, lost 0: ok
}
