package cli

import (
	"context"
	"errors"
)

// spreadConnect dials with pkg/spread (pending that package).
func spreadConnect(ctx context.Context, req ConnectRequest) (Session, error) {
	return nil, errors.New("spread client not available yet")
}
