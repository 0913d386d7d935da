package agent_test

import (
	"context"
	"fmt"
	"log"
	"sync"

	"github.com/spgo/spgo/pkg/daemon"
	"github.com/spgo/spgo/pkg/flood"
	"github.com/spgo/spgo/pkg/flood/agent"
	"github.com/spgo/spgo/pkg/spread"
)

// Two agents (on two hosts, normally, each beside its own daemon of one
// ring) and a coordinator that finds them, runs an AGREED flood from one
// to the other and merges what they report.
func Example() {
	d, err := daemon.Start(daemon.Config{Name: "localhost", NoUnixSocket: true})
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()
	server := d.SpreadName()

	ctx, stopAgents := context.WithCancel(context.Background())
	var agents sync.WaitGroup
	for range 2 {
		mb, err := spread.Connect(server)
		if err != nil {
			log.Fatal(err)
		}
		agents.Add(1)
		go func() {
			defer agents.Done()
			defer mb.Disconnect()
			a := &agent.Agent{Daemon: server}
			if err := a.Serve(ctx, mb); err != nil {
				log.Print(err)
			}
		}()
	}

	mb, err := spread.Connect(server)
	if err != nil {
		log.Fatal(err)
	}
	defer mb.Disconnect()
	coord, err := agent.NewCoordinator(mb, agent.Options{})
	if err != nil {
		log.Fatal(err)
	}
	found, err := coord.Find(context.Background(), 2)
	if err != nil {
		log.Fatal(err)
	}
	team, err := agent.Assign(found, agent.Roles{}) // agent 1 sends, agent 2 receives
	if err != nil {
		log.Fatal(err)
	}
	out, err := coord.Run(context.Background(), team, flood.Config{Daemon: server,
		Services: []spread.ServiceType{spread.AgreedMess}, Count: 1000, Size: 200})
	if err != nil {
		log.Fatal(err)
	}
	sender, receiver := out.Agents[0], out.Agents[1]
	fmt.Printf("%s: sent %d\n", sender.Role, sender.Services[0].Sent)
	fmt.Printf("%s: delivered %d\n", receiver.Role, receiver.Services[0].Delivered)
	s := out.Results.Services[0]
	fmt.Printf("merged: sent %d, delivered %d, lost %d: %s\n", s.Sent, s.Delivered, s.Lost, s.Verdict)

	stopAgents()
	agents.Wait()
	// Output:
	// 1 sender: sent 1000
	// 1 receiver: delivered 1000
	// merged: sent 1000, delivered 1000, lost 0: ok
}
