package daemon

import (
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/spgo/spgo/internal/wire"
)

// Defaults of Config fields left at their zero value.
const (
	DefaultHost               = "127.0.0.1"
	DefaultPort               = 4803 // Spread's default port, what the CLI offers; Port 0 means a free port
	DefaultSocketDir          = "/tmp"
	DefaultMaxSessions        = 997  // like the real daemon
	DefaultMaxSessionMessages = 1000 // like spread.conf's default
	DefaultHandshakeTimeout   = 5 * time.Second
	// MaxNameLen is the longest daemon name (MAX_PROC_NAME - 1).
	MaxNameLen = 19
)

// Config describes one embedded daemon. The zero value is usable: a daemon
// named after the host on 127.0.0.1 with a free TCP port and the socket
// /tmp/<port>.
type Config struct {
	// Name is the daemon name that ends every private group
	// ("#alice#<Name>"): 1..19 bytes in 0x24..0x7e. Default: the
	// host name cut to 19 bytes (the real daemon's limit), or "localhost"
	// when the host name is not a legal daemon name.
	Name string
	// Host is the TCP listen address. Default 127.0.0.1 (loopback only);
	// listening on other interfaces ("0.0.0.0", an external address) must
	// be asked for explicitly.
	Host string
	// Port is the TCP port and the Unix socket's file name. 0 picks a free
	// port (the CLI passes DefaultPort, 4803, unless told otherwise).
	Port int
	// SocketDir is where the Unix socket <SocketDir>/<Port> is created.
	// Default /tmp, which is where libspread looks for a bare "<port>".
	SocketDir string
	// NoUnixSocket disables the Unix socket; NoTCP disables TCP. Not both.
	NoUnixSocket bool
	NoTCP        bool
	// MaxSessions is the quota of sessions, handshakes included; the next
	// connection gets REJECT_QUOTA (0xfd) before anything is read.
	// Default 997 like the real daemon.
	MaxSessions int
	// MaxSessionMessages is the number of messages that may wait for one
	// session (queued and not yet written to its socket). A session that
	// would get one more is killed (slow consumer). Default 1000.
	MaxSessionMessages int
	// HandshakeTimeout bounds the whole handshake (hello and auth choice).
	// A client that stalls longer is closed silently. Default 5s.
	HandshakeTimeout time.Duration
	// Logger receives one line per session event (connected, rejected,
	// killed, disconnected) and per listener. Default: discard.
	Logger *slog.Logger
}

// withDefaults returns cfg with zero fields filled in, or an error naming
// the bad field.
func (cfg Config) withDefaults() (Config, error) {
	if cfg.Name == "" {
		cfg.Name = defaultName()
	}
	if err := checkDaemonName(cfg.Name); err != nil {
		return cfg, err
	}
	if cfg.Host == "" {
		cfg.Host = DefaultHost
	}
	if cfg.Port < 0 || cfg.Port > 65535 {
		return cfg, configErrorf("port %d out of range (0..65535, 0 = free port)", cfg.Port)
	}
	if cfg.SocketDir == "" {
		cfg.SocketDir = DefaultSocketDir
	}
	if cfg.NoTCP && cfg.NoUnixSocket {
		return cfg, configErrorf("NoTCP and NoUnixSocket both set: no listener left (ServeConn still works; set one of them false)")
	}
	if cfg.MaxSessions < 0 {
		return cfg, configErrorf("MaxSessions %d is negative (0 = default %d)", cfg.MaxSessions, DefaultMaxSessions)
	}
	if cfg.MaxSessions == 0 {
		cfg.MaxSessions = DefaultMaxSessions
	}
	if cfg.MaxSessionMessages < 0 {
		return cfg, configErrorf("MaxSessionMessages %d is negative (0 = default %d)", cfg.MaxSessionMessages, DefaultMaxSessionMessages)
	}
	if cfg.MaxSessionMessages == 0 {
		cfg.MaxSessionMessages = DefaultMaxSessionMessages
	}
	if cfg.HandshakeTimeout < 0 {
		return cfg, configErrorf("HandshakeTimeout %v is negative (0 = default %v)", cfg.HandshakeTimeout, DefaultHandshakeTimeout)
	}
	if cfg.HandshakeTimeout == 0 {
		cfg.HandshakeTimeout = DefaultHandshakeTimeout
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return cfg, nil
}

// checkDaemonName applies the rule every private group name depends on:
// 1..19 bytes, each in 0x24..0x7e ('#' is 0x23 and so excluded).
func checkDaemonName(name string) error {
	if err := wire.CheckDaemonName([]byte(name)); err != nil {
		return configErrorf("%v", err)
	}
	return nil
}

// defaultName is the host name cut to 19 bytes, as the real daemon copies
// at most MAX_PROC_NAME-1 bytes of a name into its proc record.
func defaultName() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		return "localhost"
	}
	if len(h) > MaxNameLen {
		h = h[:MaxNameLen]
	}
	if checkDaemonName(h) != nil {
		return "localhost"
	}
	return h
}

// ConfigError reports a Config field that cannot be used: the message names
// the value and what is allowed. Start returns it before listening.
type ConfigError struct{ Msg string }

func (e *ConfigError) Error() string { return "daemon: " + e.Msg }

func configErrorf(format string, a ...any) error {
	return &ConfigError{Msg: fmt.Sprintf(format, a...)}
}
