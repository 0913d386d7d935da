package agent

import (
	"cmp"
	"crypto/rand"
	"encoding/hex"
	"time"

	"github.com/spgo/spgo/pkg/spread"
)

// Defaults of Options.Wait and Options.Timeout.
const (
	DefaultWait    = 10 * time.Second
	DefaultTimeout = 10 * time.Minute
)

// Options are a Coordinator's settings; the zero value of each takes the
// default documented on it.
type Options struct {
	// Control is the control group the agents wait in (default
	// DefaultControlGroup).
	Control string
	// Wait is how long Find waits for enough agents (default DefaultWait).
	Wait time.Duration
	// Timeout is how long Run waits for the agents' results of one
	// service type (default DefaultTimeout).
	Timeout time.Duration
	// Version is the coordinator's spgo version (default this build's);
	// agents of another version refuse its plans.
	Version string
}

// Coordinator finds agents in a control group and runs floods across
// them, over one Spread session. It is not safe for concurrent use: one
// Find or Run at a time.
type Coordinator struct {
	opts Options
	mb   *spread.Mailbox
	id   string // keeps this coordinator's runs apart from another's
	runs int    // service-type runs so far
}

// NewCoordinator joins the control group on mb and returns a coordinator
// using that session. mb must deliver membership messages (the default of
// spread.Connect): they tell the coordinator when an agent is lost.
func NewCoordinator(mb *spread.Mailbox, o Options) (*Coordinator, error) {
	o.Control = cmp.Or(o.Control, DefaultControlGroup)
	o.Wait = cmp.Or(o.Wait, DefaultWait)
	o.Timeout = cmp.Or(o.Timeout, DefaultTimeout)
	o.Version = cmp.Or(o.Version, buildVersion())
	if err := mb.Join(o.Control); err != nil {
		return nil, &SessionError{Op: "joining " + o.Control, Err: err}
	}
	return &Coordinator{opts: o, mb: mb, id: newRunID()}, nil
}

// Options returns the coordinator's settings, defaults filled in.
func (c *Coordinator) Options() Options { return c.opts }

// send sends m to group (an agent or the control group).
func (c *Coordinator) send(group string, m Message) error {
	if err := send(c.mb, group, c.opts.Version, m); err != nil {
		return &SessionError{Op: "sending a " + string(m.Kind) + " to " + group, Err: err}
	}
	return nil
}

func newRunID() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
