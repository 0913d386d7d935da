package agent

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spgo/spgo/internal/english"
)

// Roles says which agents run senders and which run receivers, by number:
// 1..N in the order Find returns them (private-name order).
type Roles struct {
	// SenderAgents run Senders sending sessions each (default: agent 1).
	SenderAgents []int
	// ReceiverAgents run Receivers receiving sessions each (default: every
	// other agent; agent 1 itself when it is the only one).
	ReceiverAgents []int
	// Senders and Receivers are the sessions per agent (default 1 each).
	Senders, Receivers int
}

// Assignment is one agent and the sessions it runs in a flood.
type Assignment struct {
	Info
	Senders, Receivers int
}

// Role says what the agent runs: "1 sender", "2 receivers", "idle"...
func (a Assignment) Role() string {
	var parts []string
	if a.Senders > 0 {
		parts = append(parts, english.Count(a.Senders, "sender"))
	}
	if a.Receivers > 0 {
		parts = append(parts, english.Count(a.Receivers, "receiver"))
	}
	if len(parts) == 0 {
		return "idle"
	}
	return strings.Join(parts, ", ")
}

// Role says what the plan has its agent run, as Assignment.Role does.
func (p Plan) Role() string { return Assignment{Senders: p.Senders, Receivers: p.Receivers}.Role() }

// count is n nouns, pluralised: "1 sender", "2 senders".

// Assign gives each agent its role. An agent may run senders and
// receivers both (named in both lists, or alone); an agent number out of
// range is a *RolesError.
func Assign(agents []Info, r Roles) ([]Assignment, error) {
	if r.Senders < 0 || r.Receivers < 0 {
		return nil, fmt.Errorf("agent: %d senders / %d receivers per agent: want 0 (the default, 1) or more", r.Senders, r.Receivers)
	}
	senders, receivers := r.SenderAgents, r.ReceiverAgents
	if len(senders) == 0 {
		senders = []int{1}
	}
	if len(receivers) == 0 {
		for k := 2; k <= len(agents); k++ {
			receivers = append(receivers, k)
		}
		if len(agents) == 1 {
			receivers = []int{1}
		}
	}
	for _, k := range append(slices.Clone(senders), receivers...) {
		if k < 1 || k > len(agents) {
			return nil, &RolesError{Agent: k, Agents: len(agents)}
		}
	}
	team := make([]Assignment, len(agents))
	for i, a := range agents {
		team[i].Info = a
	}
	for _, k := range senders {
		team[k-1].Senders = max(r.Senders, 1)
	}
	for _, k := range receivers {
		team[k-1].Receivers = max(r.Receivers, 1)
	}
	return team, nil
}
