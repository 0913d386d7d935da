package cli

import (
	"os"
	"time"

	"github.com/spgo/spgo/internal/cli/iostreams"
)

// Factory carries what commands need from the outside world. Tests build
// one with iostreams.Test() and a Connect that reaches an embedded daemon.
type Factory struct {
	IOStreams *iostreams.IOStreams
	// Connect opens a session to a Spread daemon (spreadConnect, which
	// dials with pkg/spread, unless a test substitutes a fake).
	Connect ConnectFunc
	// Now is the clock (for timestamps in output).
	Now func() time.Time
	// Getenv looks up environment variables (SPGO_SERVER, SPGO_HISTORY, XDG_STATE_HOME, HOME).
	Getenv func(string) string
}

// NewFactory returns the production factory over the given streams.
func NewFactory(ios *iostreams.IOStreams) *Factory {
	return &Factory{
		IOStreams: ios,
		Connect:   spreadConnect,
		Now:       time.Now,
		Getenv:    os.Getenv,
	}
}
