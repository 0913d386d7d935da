// Package cli implements the spgo command line. Each command's cobra
// constructor is in the file named after it (connect.go, daemon.go, ...),
// its helpers in files that share that prefix (daemon_ring.go,
// shell_send.go); what commands share (flags, printers, the Session seam,
// exit codes) has files of its own. A command has an Options struct, a
// NewCmdX(f, runF) that only parses flags, and an xRun(opts) that holds the
// logic and is tested with injected IO.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"slices"
	"strings"
	"syscall"

	"github.com/fatih/color"
	"github.com/spf13/cobra"

	"github.com/spgo/spgo/internal/cli/iostreams"
)

// commands lists the constructors of every subcommand.
var commands = []func(f *Factory) *cobra.Command{
	func(f *Factory) *cobra.Command { return NewCmdConnect(f, nil) },
	func(f *Factory) *cobra.Command { return NewCmdJoin(f, nil) },
	func(f *Factory) *cobra.Command { return NewCmdSend(f, nil) },
	func(f *Factory) *cobra.Command { return NewCmdListen(f, nil) },
	func(f *Factory) *cobra.Command { return NewCmdPoll(f, nil) },
	func(f *Factory) *cobra.Command { return NewCmdDaemon(f, nil) },
	func(f *Factory) *cobra.Command { return NewCmdVersion(f, nil) },
	func(f *Factory) *cobra.Command { return NewCmdMonitor(f, nil) },
	func(f *Factory) *cobra.Command { return NewCmdTap(f, nil) },
	func(f *Factory) *cobra.Command { return NewCmdReplay(f, nil) },
	newCmdFlood,
	newCmdGenDocs,
}

// NewCmdRoot builds the spgo command tree.
func NewCmdRoot(f *Factory) *cobra.Command {
	var colorMode string
	root := &cobra.Command{
		Use:   "spgo <command>",
		Short: "Pure-Go toolkit for the Spread group-communication system",
		Long: `spgo talks to Spread daemons (and runs one): an interactive shell like
libspread's spuser, scriptable join/send/listen/poll commands, an embedded
daemon and a flood benchmark.

Daemon names use Spread's forms: PORT (unix socket /tmp/PORT) or PORT@HOST
(TCP). The default is 4803, or $` + EnvServer + ` when set.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			if err := f.IOStreams.SetColorMode(colorMode); err != nil {
				return &FlagError{Err: err}
			}
			if err := checkDurations(cmd); err != nil {
				return err
			}
			// fatih/color decides its global from os.Stdout at start-up;
			// take the decision from our streams and --color instead (our
			// own printers set it per colour, see iostreams.ColorScheme).
			color.NoColor = !f.IOStreams.ColorEnabled()
			return nil
		},
	}
	root.SetIn(f.IOStreams.In)
	root.SetOut(f.IOStreams.Out)
	root.SetErr(f.IOStreams.ErrOut)
	root.PersistentFlags().Var(newEnumValue(&colorMode, "auto", iostreams.ColorModes...), "color",
		"colour output: auto (on a terminal, unless NO_COLOR is set), always or never")
	_ = root.RegisterFlagCompletionFunc("color", cobra.FixedCompletions(iostreams.ColorModes, cobra.ShellCompDirectiveNoFileComp))
	root.SetFlagErrorFunc(flagError)
	root.SetHelpTemplate(root.HelpTemplate() + "\n" + exitCodesHelp() + "\n")
	root.SetUsageTemplate(wrappedFlagsUsage(root.UsageTemplate()))
	for _, c := range commands {
		root.AddCommand(c(f))
	}
	refuseUnknownShells(root)
	setVersionFlag(root)
	return root
}

// refuseUnknownShells makes "spgo completion SHELL" for a shell cobra cannot
// generate a usage error naming the supported ones; cobra's own completion
// command prints its help and exits 0 for any argument it does not know.
func refuseUnknownShells(root *cobra.Command) {
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() != "completion" {
			continue
		}
		var shells []string
		for _, sub := range c.Commands() {
			shells = append(shells, sub.Name())
			sub.Args = noArgs
		}
		c.Args = cobra.ArbitraryArgs // our RunE names the supported shells
		c.RunE = func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return cmd.Help()
			}
			return invalidValue(fmt.Errorf("completion for %q is not supported: use %s",
				args[0], joinOr(shells)))
		}
	}
}

// helpWidth is the widest line of --help: flag descriptions are wrapped to
// it like the commands' own text.
const helpWidth = 100

// wrappedFlagsUsage makes cobra's usage template wrap flag descriptions at
// helpWidth instead of printing each on one line of any length.
func wrappedFlagsUsage(tmpl string) string {
	for _, set := range []string{"LocalFlags", "InheritedFlags"} {
		tmpl = strings.ReplaceAll(tmpl, "."+set+".FlagUsages", fmt.Sprintf("(.%s.FlagUsagesWrapped %d)", set, helpWidth))
	}
	return tmpl
}

// joinOr lists words as "a, b or c".
func joinOr(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// Main runs spgo with the process's arguments and streams and returns the
// exit code.
func Main() int {
	ios := iostreams.System()
	f := NewFactory(ios)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root := NewCmdRoot(f)
	root.SetArgs(spflooderArgs(os.Args[1:]))
	cmd, err := root.ExecuteContextC(ctx)
	return reportError(ios.ErrOut, cmd, err)
}

// reportError prints err as one line and returns the exit code. A usage
// error is followed by the command's usage when a flag did not parse, else
// by a pointer to --help.
func reportError(w io.Writer, cmd *cobra.Command, err error) int {
	if err == nil {
		return ExitOK
	}
	code := ExitCode(err)
	if msg, suggestions, ok := unknownCommand(err); ok {
		fmt.Fprintf(w, "spgo: %s\n", oneLine(iostreams.Sanitize(msg)))
		if len(suggestions) > 0 {
			fmt.Fprintf(w, "Did you mean this? %s\n", strings.Join(suggestions, ", "))
		}
		fmt.Fprintf(w, "Run '%s --help' for the list of commands.\n", cmd.CommandPath())
		return code
	}
	if msg, ok := flagConflict(cmd, err); ok {
		err = &FlagError{Err: errors.New(msg)}
	}
	// Errors can carry text from the network (a daemon's auth offer, a
	// group name): strip terminal controls and keep the error on one line.
	if msg := oneLine(iostreams.Sanitize(err.Error())); !isSilent(err) {
		fmt.Fprintf(w, "spgo: %s\n", msg)
	}
	var ee *ExitCodeError
	var pe *flagParseError
	switch {
	case code != ExitUsage || cmd == nil || errors.As(err, &ee):
	case errors.As(err, &pe): // the usage lists the flags it could have been
		fmt.Fprintf(w, "\n%s", cmd.UsageString())
	default:
		fmt.Fprintf(w, "Run '%s --help' for usage.\n", cmd.CommandPath())
	}
	return code
}

// flagGroup finds the flags cobra names in its mutual-exclusion error
// ("if any flags in the group [a b] are set none of the others can be;
// [a b] were all set").
var flagGroup = regexp.MustCompile(`^if any flags in the group \[([^]]*)\] are set none of the others can be; \[([^]]*)\] were all set$`)

// flagConflict rewords cobra's mutual-exclusion error in the flags' own
// spelling: "use -m or --file, not both".
func flagConflict(cmd *cobra.Command, err error) (string, bool) {
	m := flagGroup.FindStringSubmatch(err.Error())
	if m == nil || cmd == nil {
		return "", false
	}
	set := strings.Fields(m[2])
	var names []string
	for _, name := range strings.Fields(m[1]) { // in the order the command declares them
		if !slices.Contains(set, name) {
			continue
		}
		if fl := cmd.Flags().Lookup(name); fl != nil && fl.Shorthand != "" {
			names = append(names, "-"+fl.Shorthand)
		} else {
			names = append(names, "--"+name)
		}
	}
	if len(names) == 2 {
		return fmt.Sprintf("use %s or %s, not both", names[0], names[1]), true
	}
	return fmt.Sprintf("use only one of %s", joinOr(names)), true
}

// unknownCommand splits cobra's unknown-command error, which puts its
// suggestions after a blank line and a tab, into the message and the names
// it suggests.
func unknownCommand(err error) (msg string, suggestions []string, ok bool) {
	text := err.Error()
	if !strings.HasPrefix(text, "unknown command ") {
		return "", nil, false
	}
	msg, rest, _ := strings.Cut(text, "\n\nDid you mean this?")
	return strings.TrimSpace(msg), strings.Fields(rest), true
}

// isSilent reports an ExitCodeError without a message (the command already
// said what happened, or there is nothing to say, e.g. "nothing ready").
func isSilent(err error) bool {
	ee, ok := err.(*ExitCodeError)
	return ok && ee.Err == nil
}

// flagError sorts the errors of parsing flags: a value the flag refuses
// (notAllowedError) is a FlagError, one line; a flag that does not parse
// (unknown, a value of the wrong type, a missing value) is a
// flagParseError, followed by the usage.
func flagError(_ *cobra.Command, err error) error {
	var na *notAllowedError
	if errors.As(err, &na) {
		return &FlagError{Err: err}
	}
	return &flagParseError{Err: plainFlagError(err)}
}

// numberSyntax matches the strconv detail pflag puts in number-flag errors.
var numberSyntax = regexp.MustCompile(`strconv\.Parse(Int|Uint|Float): parsing "[^"]*": (invalid syntax|value out of range)$`)

// plainFlagError rewords pflag's "strconv.ParseInt: parsing "x": invalid
// syntax" as what is allowed, in the user's terms.
func plainFlagError(err error) error {
	msg := err.Error()
	m := numberSyntax.FindStringSubmatch(msg)
	if m == nil {
		return err
	}
	want := map[string]string{"Int": "an integer", "Uint": "a whole number, 0 or more", "Float": "a number"}[m[1]]
	if m[2] == "value out of range" {
		want += " in range"
	}
	return errors.New(strings.TrimSuffix(msg, m[0]) + "must be " + want)
}

// oneLine folds a multi-line message onto one line.
func oneLine(s string) string { return strings.ReplaceAll(s, "\n", " ") }
