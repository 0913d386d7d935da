package spread

import (
	"context"
	"net"
	"time"
)

// Options are the settings of a connection. The zero value is not useful;
// DefaultOptions returns the defaults and each Option changes one field.
type Options struct {
	// Name is the private name, 0..10 bytes in '$'..'~'. Empty: the daemon
	// makes one up ("r1234-9"). Longer names are refused (libspread would
	// truncate them silently).
	Name string
	// Priority is sent to the daemon (0 low, anything higher: high); the
	// 4.4 daemon stores it and otherwise ignores it.
	Priority int
	// Membership asks for membership messages. Defaults to true.
	Membership bool
	// Timeout bounds dialing plus the handshake. Defaults to 5s; 0 means no
	// limit besides the context's.
	Timeout time.Duration
	// Auth are the methods to use, in order (at most 3). Defaults to NULL.
	Auth []AuthMethod
	// Dialer opens the connection; defaults to a net.Dialer. It is handed
	// the network and address ParseDaemonName produced.
	Dialer func(ctx context.Context, network, addr string) (net.Conn, error)
	// SocketDir is where a bare port's Unix socket lives. Defaults to /tmp,
	// as in libspread.
	SocketDir string
	// GroupLimit is the most groups one multicast may name. Defaults to
	// MaxGroups (43), the real daemon's usable limit; at most
	// MaxGroupsPerMessage (100).
	GroupLimit int
	// WriteBuffer is how many bytes of outgoing messages may wait in the
	// mailbox before Multicast blocks. Defaults to 256 KiB.
	WriteBuffer int
	// ReadBuffer is the initial size of the receive buffer. Defaults to
	// 64 KiB; it grows for bigger messages.
	ReadBuffer int
}

// DefaultOptions returns the defaults described on Options.
func DefaultOptions() Options {
	return Options{
		Membership:  true,
		Timeout:     5 * time.Second,
		Auth:        []AuthMethod{NullAuth{}},
		SocketDir:   defaultSocketDir,
		GroupLimit:  MaxGroups,
		WriteBuffer: 256 << 10,
		ReadBuffer:  64 << 10,
	}
}

// Option changes Options.
type Option func(*Options)

// WithName sets the private name (see Options.Name).
func WithName(name string) Option { return func(o *Options) { o.Name = name } }

// WithPriority sets the priority (see Options.Priority).
func WithPriority(p int) Option { return func(o *Options) { o.Priority = p } }

// WithMembership says whether to receive membership messages.
func WithMembership(on bool) Option { return func(o *Options) { o.Membership = on } }

// WithTimeout bounds dialing plus the handshake.
func WithTimeout(d time.Duration) Option { return func(o *Options) { o.Timeout = d } }

// WithAuth sets the authentication methods (replacing the default NULL).
func WithAuth(methods ...AuthMethod) Option {
	return func(o *Options) { o.Auth = append([]AuthMethod(nil), methods...) }
}

// WithDialer replaces the dial function, e.g. to use net.Pipe in tests or a
// proxy.
func WithDialer(d func(ctx context.Context, network, addr string) (net.Conn, error)) Option {
	return func(o *Options) { o.Dialer = d }
}

// WithSocketDir sets the directory of a bare port's Unix socket.
func WithSocketDir(dir string) Option { return func(o *Options) { o.SocketDir = dir } }

// WithGroupLimit sets the most groups one multicast may name (1..100). The
// default 43 is what a real 4.4 daemon delivers; raise it only for daemons
// that deliver more (the spgo daemon delivers up to 100).
func WithGroupLimit(n int) Option { return func(o *Options) { o.GroupLimit = n } }

// WithWriteBuffer sets how many bytes may wait unsent before Multicast
// blocks (back-pressure).
func WithWriteBuffer(n int) Option { return func(o *Options) { o.WriteBuffer = n } }

// WithReadBuffer sets the initial receive buffer size.
func WithReadBuffer(n int) Option { return func(o *Options) { o.ReadBuffer = n } }
