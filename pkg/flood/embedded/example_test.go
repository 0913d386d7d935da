package embedded_test

import (
	"context"
	"fmt"
	"log"

	"github.com/spgo/spgo/pkg/flood"
	"github.com/spgo/spgo/pkg/flood/embedded"
	"github.com/spgo/spgo/pkg/spread"
)

// A flood over a daemon of this process's own, reached by its unix
// socket: the daemon's Options take the flood's sessions there.
func ExampleStartDaemon() {
	e, err := embedded.StartDaemon(true)
	if err != nil {
		log.Fatal(err)
	}
	defer e.Close()
	res, err := flood.Run(context.Background(), flood.Config{Daemon: e.Name, Options: e.Options, Count: 500,
		Receivers: 2, Services: []spread.ServiceType{spread.FIFOMess}})
	if err != nil {
		log.Fatal(err)
	}
	s := res.Services[0]
	fmt.Println(s.Service, s.Delivered, s.Verdict)
	// Output:
	// FIFO 1000 ok
}
