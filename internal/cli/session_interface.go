package cli

import (
	"context"
	"errors"
	"fmt"
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

// errSkipped marks a received message that could not be decoded and was
// skipped; the session goes on, so commands warn and keep receiving.
var errSkipped = errors.New("skipped a message that could not be decoded")

// warnSkipped prints the one-line warning for a skipped message and
// reports whether err was one.
func warnSkipped(f *Factory, err error) bool {
	if !errors.Is(err, errSkipped) {
		return false
	}
	fmt.Fprintf(f.IOStreams.ErrOut, "spgo: warning: %s\n", err)
	return true
}

// errConnectionLost marks a session that died under a command (exit 5).
var errConnectionLost = errors.New("connection to the daemon lost")

// lost wraps a receive or send error: a dead session exits 5, anything
// else keeps its own classification.
func lost(err error) error {
	if err == nil {
		return nil
	}
	if ExitCode(err) == ExitConnectLost {
		return connectionLost(fmt.Errorf("%w: %w", errConnectionLost, err))
	}
	return err
}
