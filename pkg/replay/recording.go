package replay

import (
	"fmt"

	"github.com/spgo/spgo/internal/capture"
)

// Recording is a parsed recording: one or more client connections, each a
// sequence of units in both directions, opens and closes.
type Recording struct {
	f *capture.File
}

// Load reads the recording at path.
func Load(path string) (*Recording, error) {
	f, err := capture.Read(path)
	if err != nil {
		return nil, fmt.Errorf("replay: %w", err)
	}
	if len(f.Conns()) == 0 {
		return nil, fmt.Errorf("replay: %s holds no client connection", path)
	}
	return &Recording{f: f}, nil
}

// Name is the recording's file name.
func (r *Recording) Name() string { return r.f.Name }

// Conns are the recording's connection labels in order of opening.
func (r *Recording) Conns() []string { return r.f.Conns() }
