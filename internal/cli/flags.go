package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// EnvServer names the environment variable that sets the default daemon.
const EnvServer = "SPGO_SERVER"

// DefaultServer is Spread's default daemon name: port 4803 on this machine
// (the unix socket /tmp/4803), as spuser uses.
const DefaultServer = "4803"

// DefaultConnectTimeout bounds connecting when --timeout is not given.
const DefaultConnectTimeout = 10 * time.Second

// ConnOptions are the flags every command that talks to a daemon shares.
type ConnOptions struct {
	Server string // -s/--server: "4803", "4803@host"; the first of Servers
	// Servers are every daemon -s named, in order, for the commands that
	// take a list (acceptServerList); empty means just Server.
	Servers []string
	User    string        // -u/--user: private name, "" lets the daemon pick
	Timeout time.Duration // --timeout
	// TimeoutSet is true when --timeout was given explicitly.
	TimeoutSet bool
}

// ConnectTimeout is the time limit for establishing the session.
func (o *ConnOptions) ConnectTimeout() time.Duration {
	if o.Timeout > 0 {
		return o.Timeout
	}
	return DefaultConnectTimeout
}

// runContext limits ctx to --timeout when it was given, for the commands
// whose --timeout bounds the whole run, connecting included.
func (o *ConnOptions) runContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if o.TimeoutSet && o.Timeout > 0 {
		return context.WithTimeout(ctx, o.Timeout)
	}
	return ctx, func() {}
}

// serverList returns the daemons to try, in order.
func (o *ConnOptions) serverList() []string {
	if len(o.Servers) > 0 {
		return o.Servers
	}
	return []string{o.Server}
}

// serverForms is how -s/--server names a daemon; serverUsage is the flag's
// help for commands that take one daemon.
const (
	serverForms = "Spread daemon: PORT (unix socket /tmp/PORT) or PORT@HOST (TCP)"
	serverUsage = serverForms + "; env " + EnvServer
)

// serverValue is -s/--server: one daemon, or for commands that accept a
// list, several (comma-separated or a repeated -s). The first -s replaces
// the default; later ones add to it.
type serverValue struct {
	o     *ConnOptions
	multi bool // the command accepts a list
	given bool
}

func (v *serverValue) String() string { return strings.Join(v.o.serverList(), ",") }
func (v *serverValue) Type() string   { return "string" }

func (v *serverValue) Set(s string) error {
	if !v.given {
		v.o.Servers, v.given = nil, true
	}
	names, err := splitServers(s)
	if err != nil {
		return err
	}
	v.o.Servers = append(v.o.Servers, names...)
	if !v.multi && len(v.o.Servers) > 1 {
		return notAllowedf("%q names %d daemons: this command talks to one (lists are for listen, join and send; flood places sessions with --senders-at and --receivers-at)", s, len(v.o.Servers))
	}
	v.o.Server = v.o.Servers[0]
	return nil
}

// splitServers splits a list of daemons as -s and $SPGO_SERVER give it:
// names separated by commas, none of them empty.
func splitServers(s string) ([]string, error) {
	var names []string
	for _, name := range strings.Split(s, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			return nil, notAllowedf("empty daemon name in %q: allowed are PORT or PORT@HOST, several separated by commas", s)
		}
		names = append(names, name)
	}
	return names, nil
}

// acceptServerList lets cmd's -s/--server name several daemons, tried in
// order until one answers. Call it after addConnFlags.
func acceptServerList(cmd *cobra.Command, what string) {
	fl := cmd.Flags().Lookup("server")
	fl.Value.(*serverValue).multi = true
	fl.Usage = serverForms + "; several (a,b or a repeated -s) " + what + "; env " + EnvServer
}

// addConnFlags registers -s/--server, -u/--user and --timeout on cmd.
// timeoutUsage lets a command say what else --timeout limits.
func addConnFlags(cmd *cobra.Command, f *Factory, o *ConnOptions, timeoutUsage string) {
	addServerFlag(cmd, f, o)
	fl := cmd.Flags()
	fl.StringVarP(&o.User, "user", "u", "", "private name, 1-10 chars (empty: the daemon assigns one)")
	if timeoutUsage == "" {
		timeoutUsage = fmt.Sprintf("time limit for connecting (0: %s)", DefaultConnectTimeout)
	}
	fl.DurationVar(&o.Timeout, "timeout", 0, timeoutUsage)
	_ = cmd.RegisterFlagCompletionFunc("user", cobra.NoFileCompletions)
}

// addServerFlag registers -s/--server alone, with $SPGO_SERVER as its
// default, for commands that name a daemon but open no session of their own.
func addServerFlag(cmd *cobra.Command, f *Factory, o *ConnOptions) {
	o.Server, o.Servers = DefaultServer, nil
	if f.Getenv != nil {
		if v := f.Getenv(EnvServer); v != "" {
			o.Server = v
			// A list in the environment serves the commands that take
			// one; the others use its first daemon (readConnFlags). A
			// list with an empty name stays as given, so connecting
			// refuses it by name instead of reaching the default daemon.
			if names, err := splitServers(v); err == nil && len(names) > 1 {
				o.Server, o.Servers = names[0], names
			}
		}
	}
	cmd.Flags().VarP(&serverValue{o: o}, "server", "s", serverUsage)
	_ = cmd.RegisterFlagCompletionFunc("server", cobra.NoFileCompletions)
}

// readConnFlags fills what can only be known after parsing.
func readConnFlags(cmd *cobra.Command, o *ConnOptions) {
	o.TimeoutSet = cmd.Flags().Changed("timeout")
	if fl := cmd.Flags().Lookup("server"); fl != nil {
		if v, ok := fl.Value.(*serverValue); ok && !v.multi {
			o.Servers = nil
		}
	}
}

// Output formats for -o/--output.
const (
	OutputText = "text"
	OutputJSON = "json"
)

// enumValue is a pflag.Value that accepts one of a fixed set of strings, so
// a bad value is a flag error (exit 2) naming what is allowed.
type enumValue struct {
	value   *string
	allowed []string
}

func newEnumValue(p *string, def string, allowed ...string) *enumValue {
	*p = def
	return &enumValue{value: p, allowed: allowed}
}

func (e *enumValue) String() string { return *e.value }
func (e *enumValue) Type() string   { return "string" }
func (e *enumValue) Set(s string) error {
	for _, a := range e.allowed {
		if s == a {
			*e.value = s
			return nil
		}
	}
	return notAllowedf("%q is not one of %s", s, strings.Join(e.allowed, ", "))
}

// notAllowedError is a flag's Set refusing a value it could read: a choice
// that is not on its list, a daemon list where one daemon is taken. Unlike a
// flag that does not parse, it is reported as one line naming the flag, the
// value and what is allowed, without the usage (flagError).
type notAllowedError struct{ msg string }

func (e *notAllowedError) Error() string { return e.msg }

func notAllowedf(format string, a ...any) error {
	return &notAllowedError{msg: fmt.Sprintf(format, a...)}
}

// addOutputFlag registers -o/--output text|json.
func addOutputFlag(cmd *cobra.Command, p *string) {
	cmd.Flags().VarP(newEnumValue(p, OutputText, OutputText, OutputJSON), "output", "o",
		"output format: text or json (one JSON object per line)")
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(
		[]string{OutputText, OutputJSON}, cobra.ShellCompDirectiveNoFileComp))
}

// needGroups is the Args check of commands that act on groups: it says what
// is missing in the user's terms rather than cobra's "requires at least 1
// arg(s)".
// A send may also go to one session's private group; a join may not.
func needGroups(what string) cobra.PositionalArgs {
	kinds := "a group name"
	if what == "send" {
		kinds = "a group name, or #NAME#DAEMON for one session"
	}
	return func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return usageErrorf("%s: name at least one GROUP (%s)", what, kinds)
		}
		return nil
	}
}

// noArgs refuses arguments to a command that takes none, naming the first
// (and the command's own commands, if it has any).
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	var subs []string
	for _, c := range cmd.Commands() {
		if c.IsAvailableCommand() {
			subs = append(subs, c.Name())
		}
	}
	if len(subs) > 0 {
		return usageErrorf("%s takes no arguments, got %q: its commands are %s", cmd.Name(), args[0], joinOr(subs))
	}
	return usageErrorf("%s takes no arguments, got %q", cmd.Name(), args[0])
}
