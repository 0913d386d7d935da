// Package iostreams holds the standard streams of a spgo command together
// with the decisions that depend on them (is this a terminal, may we colour).
// Commands never touch os.Stdin/os.Stdout directly, so tests inject buffers.
package iostreams

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/mattn/go-isatty"
)

// IOStreams is the set of streams a command reads and writes.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	stdinTTY  bool
	stdoutTTY bool
	stderrTTY bool

	// noColorEnv is true when NO_COLOR is set (to anything non-empty).
	noColorEnv bool
	// forceColorEnv is true when CLICOLOR_FORCE is set to something other than "0".
	forceColorEnv bool
	// colorMode is "auto", "always" or "never" (the --color flag).
	colorMode string
}

// ColorModes lists the values --color accepts.
var ColorModes = []string{"auto", "always", "never"}

// System returns the process's real streams with TTY and colour decisions
// taken from the file descriptors and the environment.
func System() *IOStreams {
	return &IOStreams{
		In:            os.Stdin,
		Out:           os.Stdout,
		ErrOut:        os.Stderr,
		stdinTTY:      isTerminal(os.Stdin),
		stdoutTTY:     isTerminal(os.Stdout),
		stderrTTY:     isTerminal(os.Stderr),
		noColorEnv:    os.Getenv("NO_COLOR") != "",
		forceColorEnv: os.Getenv("CLICOLOR_FORCE") != "" && os.Getenv("CLICOLOR_FORCE") != "0",
		colorMode:     "auto",
	}
}

// Test returns streams backed by buffers: stdin reads from in, stdout and
// stderr are captured. Nothing is a terminal until the Set*TTY methods say so.
func Test() (ios *IOStreams, in, out, errOut *bytes.Buffer) {
	in, out, errOut = &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut, colorMode: "auto"}, in, out, errOut
}

func isTerminal(f *os.File) bool {
	return isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())
}

// IsStdinTTY reports whether standard input is a terminal.
func (s *IOStreams) IsStdinTTY() bool { return s.stdinTTY }

// IsStdoutTTY reports whether standard output is a terminal.
func (s *IOStreams) IsStdoutTTY() bool { return s.stdoutTTY }

// IsStderrTTY reports whether standard error is a terminal.
func (s *IOStreams) IsStderrTTY() bool { return s.stderrTTY }

// SetStdinTTY overrides the terminal decision for stdin (tests, pty).
func (s *IOStreams) SetStdinTTY(v bool) { s.stdinTTY = v }

// SetStdoutTTY overrides the terminal decision for stdout.
func (s *IOStreams) SetStdoutTTY(v bool) { s.stdoutTTY = v }

// SetStderrTTY overrides the terminal decision for stderr.
func (s *IOStreams) SetStderrTTY(v bool) { s.stderrTTY = v }

// SetNoColorEnv records whether NO_COLOR is set (System reads the real one).
func (s *IOStreams) SetNoColorEnv(v bool) { s.noColorEnv = v }

// SetColorMode applies the --color flag: auto, always or never.
func (s *IOStreams) SetColorMode(mode string) error {
	switch mode {
	case "auto", "always", "never":
		s.colorMode = mode
		return nil
	}
	return fmt.Errorf("invalid --color %q: allowed are auto, always, never", mode)
}

// ColorMode returns the --color setting: auto, always or never.
func (s *IOStreams) ColorMode() string { return s.colorMode }

// ColorEnabled decides whether stdout gets colour: --color=always and
// --color=never win; in auto mode colour needs a terminal and no NO_COLOR
// (CLICOLOR_FORCE forces it on even when piped).
func (s *IOStreams) ColorEnabled() bool {
	switch s.colorMode {
	case "always":
		return true
	case "never":
		return false
	}
	if s.noColorEnv {
		return false
	}
	return s.stdoutTTY || s.forceColorEnv
}
