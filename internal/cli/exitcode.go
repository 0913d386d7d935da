package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spgo/spgo/pkg/daemon"
	"github.com/spgo/spgo/pkg/spread"
)

// Exit codes of every spgo command. They are part of the interface: scripts
// branch on them, and --help (exitCodeMeanings) and the README document them.
const (
	ExitOK          = 0
	ExitError       = 1
	ExitUsage       = 2
	ExitConnect     = 3
	ExitTimeout     = 4
	ExitConnectLost = 5
	ExitCheck       = 6
	ExitFault       = 7
	ExitRegression  = 8
	ExitAgentLost   = 9
	// ExitInterrupted is what shells report for a command ended by SIGINT
	// (128 + 2).
	ExitInterrupted = 130
)

// exitCodeMeanings says what each exit code means, in the words of --help
// (and so of docs/cli); a line break continues the meaning under itself.
var exitCodeMeanings = []struct {
	code    int
	meaning string
}{
	{ExitOK, "success"},
	{ExitError, "error"},
	{ExitUsage, "usage (bad flags or arguments)"},
	{ExitConnect, "could not connect to the daemon (also when --timeout ran out while\nconnecting), or the daemon rejected the request"},
	{ExitTimeout, "timed out, or nothing (or too little) arrived"},
	{ExitConnectLost, "connection to the daemon lost (listen and join --watch go on\ninstead with --reconnect)"},
	{ExitCheck, "a check failed: spgo monitor --expect-daemons, --max-retrans-rate, or\nspgo replay found a difference"},
	{ExitFault, "flood saw a fault (a daemon crashed, the ring split or merged) and\nevery promise held among the surviving sessions"},
	{ExitRegression, "flood --fail-on-regression or flood compare --fail-on-regression: msgs/s\nfell, or a latency percentile rose, by more than PCT% and significantly"},
	{ExitAgentLost, "flood --agents lost an agent mid-run (it left the control group); the\nfigures are partial"},
	{ExitInterrupted, "flood interrupted (SIGINT) before it finished; its figures are partial"},
}

// exitCodesHelp is the table appended to the root command's help.
func exitCodesHelp() string {
	var b strings.Builder
	b.WriteString("Exit codes:")
	for _, e := range exitCodeMeanings {
		fmt.Fprintf(&b, "\n  %-4d %s", e.code, strings.ReplaceAll(e.meaning, "\n", "\n       "))
	}
	return b.String()
}

// ExitCodeError is an error that ends the command with a chosen exit code.
// A nil Err exits silently with Code.
type ExitCodeError struct {
	Code int
	Err  error
}

func (e *ExitCodeError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitCodeError) Unwrap() error { return e.Err }

// withCode wraps err so that it exits with code; nil stays nil.
func withCode(code int, err error) error {
	if err == nil {
		return nil
	}
	return &ExitCodeError{Code: code, Err: err}
}

// What went wrong, as commands report it; each kind's exit code is decided
// here and nowhere else.

// invalidValue is a bad command-line value found after parsing: exit 2 with
// one line and no usage text (the value is named in the message).
func invalidValue(err error) error { return withCode(ExitUsage, err) }

// timedOut is a run that ran out of time, or in which nothing (or too
// little) arrived. A nil err exits silently: the output already said so.
func timedOut(err error) error { return &ExitCodeError{Code: ExitTimeout, Err: err} }

// connectFailed is a connect that failed or that the daemon refused: exit 3,
// unless the daemon name itself was bad (a usage error).
func connectFailed(err error) error {
	if ExitCode(err) == ExitUsage {
		return withCode(ExitUsage, err)
	}
	return withCode(ExitConnect, err)
}

// interrupted is a run stopped by SIGINT (its context cancelled) before it
// finished.
func interrupted(err error) error { return withCode(ExitInterrupted, err) }

// ringRefused is a fault a running ring refused (unknown node, a bad
// partition) or a control command with no ring to take it: exit 2, one
// line, nothing changed.
func ringRefused(err error) error { return withCode(ExitUsage, err) }

// faultKept is a flood through a fault whose survivors got what every
// promise says.
func faultKept(err error) error { return withCode(ExitFault, err) }

// regressed is a benchmark comparison whose gate found a significant
// regression (bench.RegressionError); nil stays nil.
func regressed(err error) error { return withCode(ExitRegression, err) }

// agentLost is a flood across agents that lost one of them mid-run.
func agentLost(err error) error { return withCode(ExitAgentLost, err) }

// checkFailed is a spgo monitor check that did not hold, or a spgo replay
// that found a difference.
func checkFailed(err error) error { return withCode(ExitCheck, err) }

// daemonStartFailed: a daemon or ring that would not start because of a
// flag value (named in the message) or because it could not listen where
// the flags say (a port or Unix socket that is another's, an address this
// host does not have, a socket directory that does not exist) is a usage
// error, as a --http or monitor port in use is.
func daemonStartFailed(err error) error {
	var (
		cfgErr    *daemon.ConfigError
		listenErr *daemon.ListenError
		nodeErr   *daemon.NodeError
	)
	if errors.As(err, &cfgErr) || errors.As(err, &listenErr) || errors.As(err, &nodeErr) {
		return invalidValue(err)
	}
	return err
}

// connectionLost is a session that died under the command.
func connectionLost(err error) error { return withCode(ExitConnectLost, err) }

// FlagError is a usage error that spgo's own checks find in the flags or
// arguments: a value out of range, flags that exclude each other, a
// missing GROUP, an extra argument. It is reported as one line naming what
// is wrong and a pointer to --help, without the usage text; exit 2.
type FlagError struct{ Err error }

func (e *FlagError) Error() string { return e.Err.Error() }
func (e *FlagError) Unwrap() error { return e.Err }

// flagParseError is a flag that does not parse (an unknown flag, a value of
// the wrong type, a missing value): the one line is followed by the
// command's usage, which lists the flags; exit 2.
type flagParseError struct{ Err error }

func (e *flagParseError) Error() string { return e.Err.Error() }
func (e *flagParseError) Unwrap() error { return e.Err }

// usageErrorf makes a FlagError from a format.
func usageErrorf(format string, a ...any) error {
	return &FlagError{Err: fmt.Errorf(format, a...)}
}

// ExitCode maps an error returned by a command to the process exit code.
// This is the only place that decides exit codes.
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var ee *ExitCodeError
	if errors.As(err, &ee) {
		return ee.Code
	}
	if isUsageError(err) {
		return ExitUsage
	}
	if code, ok := classifySpread(err); ok {
		return code
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return ExitTimeout
	}
	return ExitError
}

// isUsageError recognises flag errors, including cobra's own argument and
// unknown-command errors, which are plain errors.
func isUsageError(err error) bool {
	var fe *FlagError
	var pe *flagParseError
	if errors.As(err, &fe) || errors.As(err, &pe) {
		return true
	}
	msg := err.Error()
	return strings.HasPrefix(msg, "unknown command ") ||
		strings.HasPrefix(msg, "unknown flag") ||
		strings.HasPrefix(msg, "unknown shorthand flag") ||
		strings.HasPrefix(msg, "invalid argument ") ||
		strings.HasPrefix(msg, "flag needs an argument") ||
		strings.HasPrefix(msg, "required flag") ||
		strings.HasPrefix(msg, "if any flags in the group") ||
		strings.HasPrefix(msg, "none of the others can be") ||
		strings.HasPrefix(msg, "at least one of the flags") ||
		strings.Contains(msg, " arg(s)")
}

// classifySpread maps pkg/spread's error codes to exit codes.
func classifySpread(err error) (int, bool) {
	var se *spread.Error
	if !errors.As(err, &se) {
		return 0, false
	}
	switch se.Code {
	case spread.IllegalSpread:
		return ExitUsage, true
	case spread.CouldNotConnect, spread.RejectQuota, spread.RejectNoName, spread.RejectIllegalName,
		spread.RejectNotUnique, spread.RejectVersion, spread.RejectAuth:
		return ExitConnect, true
	case spread.ConnectionClosed, spread.NetErrorOnSession, spread.IllegalSession:
		return ExitConnectLost, true
	}
	return ExitError, true
}
