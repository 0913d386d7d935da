package cli

import (
	"context"
	"errors"
	"time"
)

// ConnectRequest is what a command asks of Factory.Connect.
type ConnectRequest struct {
	Server     string
	User       string
	Timeout    time.Duration
	Membership bool
}

// ConnectFunc opens a session. Production dials with pkg/spread; tests may
// substitute a fake or a session to an embedded daemon.
type ConnectFunc func(ctx context.Context, req ConnectRequest) (Mailbox, error)

// Mailbox is the part of a Spread session the commands use.
// (Grows to the pkg/spread API once that package lands.)
type Mailbox interface {
	PrivateGroup() string
	Disconnect() error
}

func spreadConnect(ctx context.Context, req ConnectRequest) (Mailbox, error) {
	return nil, errors.New("spread client not available yet")
}
