package spread

import (
	"context"
	"net"
)

// AuthMethod is one client-side authentication method. The daemon offers
// the methods it has enabled; the client names the ones it uses (all must
// be offered) and then runs each method's Authenticate hook in order, as
// libspread does after sending its choice.
type AuthMethod interface {
	// Name is the method's name as the daemon offers it, 1..29 bytes
	// ("NULL", "IP", "PWORD").
	Name() string
	// Authenticate runs the method's own exchange, if any, on conn after the
	// choice was sent. It must respect ctx's deadline.
	Authenticate(ctx context.Context, conn net.Conn) error
}

// NullAuth is Spread's NULL method: no exchange, always accepted. It is the
// default.
type NullAuth struct{}

// Name returns "NULL".
func (NullAuth) Name() string { return "NULL" }

// Authenticate does nothing.
func (NullAuth) Authenticate(context.Context, net.Conn) error { return nil }

// IPAuth is Spread's IP method: no client exchange; the daemon checks the
// peer address against its access list.
type IPAuth struct{}

// Name returns "IP".
func (IPAuth) Name() string { return "IP" }

// Authenticate does nothing.
func (IPAuth) Authenticate(context.Context, net.Conn) error { return nil }
