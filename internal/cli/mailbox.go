package cli

import (
	"context"
	"time"
)

// ConnectRequest is what a command asks of Factory.Connect.
type ConnectRequest struct {
	Server     string
	User       string
	Timeout    time.Duration
	Membership bool
}

// ConnectFunc opens a session. Production dials with pkg/spread
// (spreadsession.go); unit tests substitute a fake.
type ConnectFunc func(ctx context.Context, req ConnectRequest) (Session, error)

// Session is the part of a Spread mailbox the commands use, in the CLI's
// own terms (events and service names) so command logic is testable
// without a daemon.
type Session interface {
	PrivateGroup() string
	Join(group string) error
	Leave(group string) error
	// Send multicasts data to groups; service is one of serviceNames.
	Send(service string, selfDiscard bool, groups []string, data []byte, msgType int16) error
	// Flush pushes buffered sends to the daemon.
	Flush() error
	// Receive blocks for the next message, until ctx ends or the session dies.
	Receive(ctx context.Context) (*event, error)
	// Poll returns how many bytes are ready to be received (SP_poll).
	Poll() (int, error)
	// Disconnect ends the session cleanly; it is idempotent.
	Disconnect() error
}
