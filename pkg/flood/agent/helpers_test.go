package agent

import (
	"context"
	"testing"
	"time"

	"github.com/spgo/spgo/pkg/daemon/spreadtest"
	"github.com/spgo/spgo/pkg/spread"
)

// testWait bounds every wait on an event: a test that gets nothing in
// this long has failed, it is not a synchronisation.
const testWait = 20 * time.Second

// runningAgent is an Agent serving in the background.
type runningAgent struct {
	name   string
	events chan Event
	ended  chan struct{} // closed when Serve returned
	err    error         // what Serve returned, once ended
	cancel context.CancelFunc
	// lost is set by a test that cuts the agent's session: Serve's error
	// is then expected.
	lost bool
}

// startAgent serves a on its own session to server until the test ends,
// and returns once it is in the control group.
func startAgent(t *testing.T, server string, a Agent) *runningAgent {
	t.Helper()
	mb, err := spread.Connect(server)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mb.Disconnect() })
	a.Daemon = server
	ra := &runningAgent{name: mb.PrivateGroup(), events: make(chan Event, 1000), ended: make(chan struct{})}
	a.OnEvent = func(e Event) { ra.events <- e }
	ctx, cancel := context.WithCancel(context.Background())
	ra.cancel = cancel
	go func() {
		ra.err = a.Serve(ctx, mb)
		close(ra.ended)
	}()
	t.Cleanup(func() { ra.stop(t) })
	ra.await(t, EventReady)
	return ra
}

// await returns the agent's next event of kind, skipping others.
func (ra *runningAgent) await(t *testing.T, kind EventKind) Event {
	t.Helper()
	timeout := time.After(testWait)
	for {
		select {
		case e := <-ra.events:
			if e.Name != ra.name {
				t.Errorf("event %s names agent %s, want %s", e.Kind, e.Name, ra.name)
			}
			if e.Kind == kind {
				return e
			}
		case <-ra.ended:
			t.Fatalf("agent %s ended waiting for %q: %v", ra.name, kind, ra.err)
		case <-timeout:
			t.Fatalf("agent %s: no %q event in %s", ra.name, kind, testWait)
		}
	}
}

// stop ends the agent (if it has not ended) and checks it ended cleanly.
func (ra *runningAgent) stop(t *testing.T) {
	ra.cancel()
	select {
	case <-ra.ended:
		if ra.err != nil && !ra.lost {
			t.Errorf("agent %s: %v", ra.name, ra.err)
		}
	case <-time.After(testWait):
		t.Errorf("agent %s did not end within %s of its cancel", ra.name, testWait)
	}
}

// newDaemon is a daemon for one test.
func newDaemon(t *testing.T) string { return spreadtest.Run(t).SpreadName() }

// newCoordinator is a coordinator on its own session to server.
func newCoordinator(t *testing.T, server string, o Options) *Coordinator {
	t.Helper()
	mb, err := spread.Connect(server)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mb.Disconnect() })
	c, err := NewCoordinator(mb, o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// findTeam finds n agents and gives them the default roles.
func findTeam(t *testing.T, c *Coordinator, n int) []Assignment {
	t.Helper()
	found, err := c.Find(context.Background(), n)
	if err != nil {
		t.Fatal(err)
	}
	team, err := Assign(found, Roles{})
	if err != nil {
		t.Fatal(err)
	}
	return team
}

// twoAgents starts a daemon, two agents and a coordinator that has found
// them, in the order Find gives them.
func twoAgents(t *testing.T) (server string, a1, a2 *runningAgent, c *Coordinator, found []Info) {
	t.Helper()
	server = newDaemon(t)
	a1, a2 = startAgent(t, server, Agent{}), startAgent(t, server, Agent{})
	c = newCoordinator(t, server, Options{})
	found, err := c.Find(context.Background(), 2)
	if err != nil {
		t.Fatal(err)
	}
	return server, a1, a2, c, found
}
