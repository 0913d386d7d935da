package spread_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/spgo/spgo/pkg/daemon/spreadtest"
	"github.com/spgo/spgo/pkg/spread"
)

// After Disconnect every call matches ErrDisconnected, also when a Receive
// had seen the daemon close the connection first (whose error does not).
func TestDisconnectAfterTheDaemonClosed(t *testing.T) {
	d := spreadtest.Run(t)
	mb, err := spread.Connect(d.SpreadName(), spread.WithName("late"))
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := mb.ReceiveContext(ctx); !errors.Is(err, spread.ErrConnectionClosed) || errors.Is(err, spread.ErrDisconnected) {
		t.Fatalf("Receive after the daemon closed = %v, want CONNECTION_CLOSED not matching ErrDisconnected", err)
	}
	if err := mb.Disconnect(); err != nil {
		t.Fatalf("Disconnect = %v", err)
	}
	_, recvErr := mb.Receive()
	_, ctxErr := mb.ReceiveContext(ctx)
	_, pollErr := mb.Poll()
	for op, err := range map[string]error{
		"Receive":        recvErr,
		"ReceiveContext": ctxErr,
		"Poll":           pollErr,
		"Join":           mb.Join("g"),
		"Leave":          mb.Leave("g"),
		"Multicast":      mb.Multicast(spread.AgreedMess, "g", []byte("x"), 0),
		"Flush":          mb.Flush(),
	} {
		if !errors.Is(err, spread.ErrDisconnected) || !errors.Is(err, spread.ErrConnectionClosed) {
			t.Errorf("%s after Disconnect = %v, want ErrDisconnected and CONNECTION_CLOSED", op, err)
		}
	}
	if err := mb.Disconnect(); err != nil {
		t.Errorf("a second Disconnect = %v, want nil", err)
	}
}
