package daemonhttp_test

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"
	"time"

	"github.com/spgo/spgo/pkg/daemon"
	"github.com/spgo/spgo/pkg/daemon/daemonhttp"
)

// A daemon's HTTP face, and a Go program reading its /status.
func ExampleFetchStatus() {
	d, err := daemon.Start(daemon.Config{Name: "d1", NoUnixSocket: true})
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()
	s := daemonhttp.New(daemonhttp.Options{Nodes: func() []*daemon.Daemon { return []*daemon.Daemon{d} }, Version: "v1.0.0"})
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	rep, err := daemonhttp.FetchStatus(ctx, ts.Client(), daemonhttp.StatusURL(ts.URL))
	if err != nil {
		log.Fatal(err)
	}
	for _, n := range rep.Nodes {
		fmt.Println(n.Name, n.Up, len(n.Sessions), "sessions")
	}
	// Output:
	// d1 true 0 sessions
}
