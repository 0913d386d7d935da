package agent

import (
	"strings"
	"time"

	"github.com/spgo/spgo/pkg/flood"
	"github.com/spgo/spgo/pkg/spread"
)

// settings checks the flood Run is asked for and fills the defaults a
// plan and the merged results need. Each agent's flood checks the rest
// again.
func settings(cfg flood.Config) (flood.Config, error) {
	return cfg.SettingsWithDefaults()
}

// planner makes each agent's plan for one service type's flood.
type planner struct {
	cfg                flood.Config
	svc                spread.ServiceType
	agents             int // in the team, idle ones included
	senders, receivers int // sessions over all agents
}

func newPlanner(cfg flood.Config, svc spread.ServiceType, team []Assignment) planner {
	p := planner{cfg: cfg, svc: svc, agents: len(team)}
	p.senders, p.receivers = Sessions(team)
	return p
}

// Sessions counts the team's senders and receivers over every agent.
func Sessions(team []Assignment) (senders, receivers int) {
	for _, a := range team {
		senders += a.Senders
		receivers += a.Receivers
	}
	return senders, receivers
}

// plan is a's part. The total rate is split over the senders. With more
// than one agent the senders' windows follow every receiver's
// acknowledgements (the agent's own receivers' too), four per window, and
// an agent with both roles holds its senders until every receiver of the
// team is in the group.
func (p planner) plan(a Assignment) *Plan {
	cfg := p.cfg
	pl := &Plan{Service: strings.ToLower(flood.ServiceName(p.svc)), Group: cfg.ServiceGroup(p.svc), Count: cfg.Count, Duration: cfg.Duration,
		Size: cfg.Size, Senders: a.Senders, Receivers: a.Receivers, Window: cfg.Window, RTTEvery: cfg.RTTEvery,
		Stall: cfg.Stall, Rate: cfg.Rate * float64(a.Senders) / float64(max(p.senders, 1))}
	if p.agents > 1 {
		pl.RemoteSenders = p.senders
		pl.AckEvery = max(cfg.Window/4, 1)
		if a.Senders > 0 {
			pl.RemoteReceivers = p.receivers
		}
		pl.HoldSenders = a.Senders > 0 && a.Receivers > 0
	}
	return pl
}

// header is the merged results' header for a flood over team.
func header(cfg flood.Config, team []Assignment) *flood.Results {
	p := newPlanner(cfg, 0, team)
	return &flood.Results{Daemon: cfg.Daemon, Group: cfg.Group, Size: cfg.Size, Count: cfg.Count, Duration: cfg.Duration,
		Senders: p.senders, Receivers: p.receivers, Window: max(cfg.Window, 0), Rate: cfg.Rate, RTTEvery: cfg.RTTEvery,
		Started: time.Now()}
}
