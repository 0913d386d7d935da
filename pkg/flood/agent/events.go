package agent

import "fmt"

// EventKind says what an Event reports.
type EventKind string

// What an agent reports through Agent.OnEvent.
const (
	// EventReady: the agent is in the control group, waiting for plans.
	EventReady EventKind = "ready"
	// EventRunStarted: it accepted a plan and starts its sessions.
	EventRunStarted EventKind = "run started"
	// EventJoined: the run's sessions are in the flood group (and the
	// coordinator is told, KindReady); the flood starts.
	EventJoined EventKind = "joined"
	// EventRunDone: it sent the run's result (Err: the run failed).
	EventRunDone EventKind = "run done"
	// EventRefused: it refused a plan (Err says why).
	EventRefused EventKind = "refused"
	// EventGarbage: a message on the control group it could not read.
	EventGarbage EventKind = "garbage"
	// EventSendFailed: a reply could not be sent (Err).
	EventSendFailed EventKind = "send failed"
)

// Event is something an agent did, for logs and tests.
type Event struct {
	Kind EventKind
	// Name is the agent's private group, Control its control group.
	Name, Control string
	// Run is the coordinator's run id (all but EventReady and
	// EventGarbage), Plan the plan (EventRunStarted).
	Run  string
	Plan *Plan
	Err  error
}

// String says what happened in one line, for a log: "ready as #a#d1 in
// spgo-flood-ctl", "run ID: fifo, 1 sender", "run ID: sending to the
// coordinator: ERR"...
func (e Event) String() string {
	switch e.Kind {
	case EventReady:
		return fmt.Sprintf("ready as %s in %s", e.Name, e.Control)
	case EventRunStarted:
		return fmt.Sprintf("run %s: %s, %s", e.Run, e.Plan.Service, e.Plan.Role())
	case EventSendFailed:
		return fmt.Sprintf("run %s: sending to the coordinator: %v", e.Run, e.Err)
	case EventGarbage:
		return "a message on " + e.Control + " that is not a coordinator's, ignored"
	}
	if e.Err != nil {
		return fmt.Sprintf("run %s: %s: %v", e.Run, e.Kind, e.Err)
	}
	return fmt.Sprintf("run %s: %s", e.Run, e.Kind)
}
