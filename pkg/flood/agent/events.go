package agent

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
