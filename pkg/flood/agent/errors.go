package agent

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Why an agent's part of a run failed; an *AgentError wraps one of them.
var (
	// ErrVersionMismatch: the agent runs another spgo or protocol version.
	ErrVersionMismatch = errors.New("agent of another version")
	// ErrBusy: the agent is busy with another coordinator's run.
	ErrBusy = errors.New("agent busy")
	// ErrBadPlan: the agent cannot carry out the plan it was sent.
	ErrBadPlan = errors.New("plan refused")
	// ErrRunFailed: the agent's flood failed (it says why).
	ErrRunFailed = errors.New("run failed")
	// ErrAgentLost: the agent left the control group mid-run.
	ErrAgentLost = errors.New("was lost mid-run")
	// ErrNoResult: the agent sent no result within Options.Timeout.
	ErrNoResult = errors.New("no result")
	// ErrBadResult: the agent's result could not be read.
	ErrBadResult = errors.New("a result that cannot be read")
)

// ErrTooFewAgents matches a *TooFewAgentsError with errors.Is.
var ErrTooFewAgents = errors.New("too few agents")

// AgentError is one agent's failure in a run: Err wraps one of the Err…
// sentinels above and says what happened.
type AgentError struct {
	Name string // the agent's private group
	Host string
	Err  error
}

// Error names the agent and its host, then what happened.
func (e *AgentError) Error() string {
	if errors.Is(e.Err, ErrAgentLost) {
		return fmt.Sprintf("agent %s (%s) %v", e.Name, e.Host, e.Err)
	}
	return fmt.Sprintf("agent %s (%s): %v", e.Name, e.Host, e.Err)
}

// Unwrap returns Err.
func (e *AgentError) Unwrap() error { return e.Err }

// FailuresError is Coordinator.Run's error when agents failed: one
// *AgentError each, in the order they were noticed. errors.Is and
// errors.As look into every one.
type FailuresError struct {
	Failures []*AgentError
}

// Error is every failure's message, separated by "; ".
func (e *FailuresError) Error() string {
	msgs := make([]string, len(e.Failures))
	for i, f := range e.Failures {
		msgs[i] = f.Error()
	}
	return strings.Join(msgs, "; ")
}

// Unwrap returns the failures.
func (e *FailuresError) Unwrap() []error {
	errs := make([]error, len(e.Failures))
	for i, f := range e.Failures {
		errs[i] = f
	}
	return errs
}

// TooFewAgentsError is Coordinator.Find's error when fewer idle agents
// than wanted answered within Options.Wait.
type TooFewAgentsError struct {
	Found, Want int
	Busy        int // agents that answered busy with another coordinator's run
	Wait        time.Duration
	Control     string
}

// Error says how many answered, in how long, where.
func (e *TooFewAgentsError) Error() string {
	busy := ""
	if e.Busy > 0 {
		busy = fmt.Sprintf(" (%d more busy with another coordinator's run)", e.Busy)
	}
	return fmt.Sprintf("%d of %d agents answered in %s on control group %s%s", e.Found, e.Want, e.Wait, e.Control, busy)
}

// Is makes errors.Is(err, ErrTooFewAgents) true.
func (e *TooFewAgentsError) Is(target error) bool { return target == ErrTooFewAgents }

// RolesError is a Roles that does not fit the agents found: an agent
// number out of range.
type RolesError struct {
	Agent  int // the agent's number (1-based)
	Agents int // how many agents were found
}

// Error names the agent and the numbers allowed.
func (e *RolesError) Error() string {
	return fmt.Sprintf("agent %d: allowed 1..%d", e.Agent, e.Agents)
}

// SessionError is a failure of the agent's or coordinator's own Spread
// session: Op says what it was doing, Err is pkg/spread's error.
type SessionError struct {
	Op  string
	Err error
}

// Error is Op, then the session's error.
func (e *SessionError) Error() string { return e.Op + ": " + e.Err.Error() }

// Unwrap returns Err.
func (e *SessionError) Unwrap() error { return e.Err }
