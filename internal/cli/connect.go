package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/chzyer/readline"
	"github.com/spf13/cobra"

	"github.com/spgo/spgo/internal/cli/iostreams"
)

// ConnectOptions are the flags of `spgo connect`.
type ConnectOptions struct {
	Factory *Factory
	Conn    ConnOptions

	Output      string // text or json (events and the shell's own reports)
	History     string // history file; "" disables it
	Interactive bool   // line editor and prompts; set from the terminal test
}

// NewCmdConnect builds `spgo connect`, the interactive shell.
func NewCmdConnect(f *Factory, runF func(context.Context, *ConnectOptions) error) *cobra.Command {
	opts := &ConnectOptions{Factory: f}
	noHistory := false
	cmd := &cobra.Command{
		Use:   "connect",
		Short: "Interactive shell: join, leave, send and receive (like spuser)",
		Long: `Connect to a daemon and read commands, as libspread's spuser does:

` + shellHelp + `
On a terminal, connect has a line editor with history and tab completion of
commands, joined groups and service types; messages and membership changes
are printed as they arrive without disturbing the line being typed; Ctrl-C
cancels a receive that is waiting ("receive cancelled"), and Ctrl-C or
Ctrl-D at a command's own prompt (like send's "enter message:") cancels that
command without sending anything. The history is a private file (mode 0600):
` + "`$SPGO_HISTORY`" + `, else ` + "`$XDG_STATE_HOME/spgo/history`" + `, else ~/.spgo_history;
--no-history or SPGO_HISTORY=/dev/null keeps none.
When standard input is not a terminal, it reads the same commands from it
without prompts, so a session can be scripted; end of input quits. Losing the
daemon ends the shell at once, even while it waits for input, with exit 5.`,
		Example: `  spgo connect -u alice
  printf 'async off\njoin chat\nreceive\nsend chat -- hi\nreceive\n' | spgo connect -u bob`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			readConnFlags(cmd, &opts.Conn)
			switch {
			case noHistory:
				opts.History = ""
			case opts.History == "":
				opts.History = historyPath(f)
			}
			ios := f.IOStreams
			opts.Interactive = ios.IsStdinTTY() && ios.IsStdoutTTY()
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return connectRun(cmd.Context(), opts)
		},
	}
	addConnFlags(cmd, f, &opts.Conn, "")
	addOutputFlag(cmd, &opts.Output)
	cmd.Flags().StringVar(&opts.History, "history", "", "history file of the line editor, kept private (0600) (default $SPGO_HISTORY, else $XDG_STATE_HOME/spgo/history, else ~/.spgo_history)")
	cmd.Flags().BoolVar(&noHistory, "no-history", false, "keep no history file (so does SPGO_HISTORY=/dev/null)")
	return cmd
}

func connectRun(ctx context.Context, opts *ConnectOptions) error {
	ios := opts.Factory.IOStreams
	s, err := openSession(ctx, opts.Factory, &opts.Conn, true)
	if err != nil {
		return err
	}
	defer s.Disconnect()
	var intr chan struct{}
	if opts.Interactive {
		// On a terminal Ctrl-C stops a waiting receive, not the shell
		// (while a line is edited readline reads it as a key anyway);
		// SIGTERM still ends the shell.
		var stop func()
		ctx, intr, stop = interactiveSignals(ctx)
		defer stop()
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	sh := newShell(ctx, s, opts)
	sh.intr = intr
	var lr lineReader
	if opts.Interactive {
		rl, err := newReadline(opts, sh)
		if err != nil {
			return err
		}
		lr = rl
		sh.out = &promptSafeWriter{rl: rl, w: rl.inst.Stdout()} // prints without garbling the line being typed
	} else {
		lr = newPlainReader(ios.In)
		sh.out = &lockedWriter{w: ios.Out}
	}
	defer lr.Close()
	sh.printer.out = sh.out
	sh.lr = lr

	go sh.receiveLoop()
	sh.report(fmt.Sprintf("connected to %s as %s", opts.Conn.Server, s.PrivateGroup()),
		jsonConnected{Kind: "connected", Server: opts.Conn.Server, PrivateGroup: s.PrivateGroup()})
	if opts.Interactive {
		fmt.Fprintln(sh.out, `type "help" for commands, "quit" or Ctrl-D to leave`)
	}
	err = sh.loop()
	if ExitCode(err) == ExitConnectLost {
		// Checked first: a lost connection wraps io.EOF too, and must not
		// pass for the end of the user's input.
		return err
	}
	if errors.Is(err, errQuit) || errors.Is(err, io.EOF) {
		sh.report("Bye.", jsonBye{Kind: "bye"})
		return lost(s.Disconnect())
	}
	return err
}

// interactiveSignals detaches ctx from the SIGINT that Main turns into a
// cancellation: SIGINT becomes a token on intr, SIGTERM (or the end of
// the parent for any other reason than a signal) ends the returned context.
func interactiveSignals(parent context.Context) (context.Context, chan struct{}, func()) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(parent))
	intr := make(chan struct{}, 1)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case sig := <-sigs:
				if sig != os.Interrupt {
					cancel()
					return
				}
				select {
				case intr <- struct{}{}:
				default:
				}
			case <-done:
				return
			}
		}
	}()
	return ctx, intr, func() { signal.Stop(sigs); close(done); cancel() }
}

// lineReader reads one line of input, showing prompt when interactive.
type lineReader interface {
	// ReadLine returns io.EOF at the end of input (Ctrl-D on a terminal)
	// and errInterrupt, with the text typed so far, on Ctrl-C.
	ReadLine(prompt string) (string, error)
	// SaveHistory records a command line (not message text) in the history.
	SaveHistory(line string)
	// Abandon gives up the line being read when the shell ends under it
	// (the daemon went away, SIGTERM): on a terminal the prompt and what
	// was typed are erased, so what is printed next starts a clean line,
	// and the pending ReadLine returns. Nothing is read afterwards.
	Abandon()
	Close() error
}

// lockedWriter serialises writes from the receiver and the command loop.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// plainReader reads commands from a pipe or file: no prompt, no editing.
type plainReader struct {
	r *lineScanner
}

func newPlainReader(r io.Reader) *plainReader { return &plainReader{r: newLineScanner(r)} }

func (p *plainReader) ReadLine(string) (string, error) { return p.r.next() }
func (p *plainReader) SaveHistory(string)              {}
func (p *plainReader) Abandon()                        {}
func (p *plainReader) Close() error                    { return nil }

// readlineReader is the terminal line editor.
type readlineReader struct {
	inst      *readline.Instance
	in        *readline.CancelableStdin
	prompting atomic.Bool // inside Readline
}

// promptSafeWriter writes through readline's Stdout, which clears the
// prompt line, writes, and draws the prompt and the typed text again, but
// only while readline's terminal is "reading". Readline prints the prompt
// and then marks itself reading from another goroutine (and unmarks itself
// between keys), so a write in that gap would land after the prompt and
// never be redrawn. While a line is being read, wait (briefly, bounded)
// for the reading state before writing.
type promptSafeWriter struct {
	rl *readlineReader
	w  io.Writer
}

func (p *promptSafeWriter) Write(b []byte) (int, error) {
	for i := 0; i < 200 && p.rl.prompting.Load() && !p.rl.inst.Terminal.IsReading(); i++ {
		time.Sleep(500 * time.Microsecond)
	}
	return p.w.Write(b)
}

func newReadline(opts *ConnectOptions, sh *shell) (*readlineReader, error) {
	ios := opts.Factory.IOStreams
	// Closing the editor waits for its reader, which would stay blocked on
	// the terminal until a key is pressed: it reads through a wrapper that
	// Close cancels (the editor's own Close does not reach it).
	in := readline.NewCancelableStdin(ios.In)
	history := opts.History
	if history != "" {
		if err := prepareHistory(history); err != nil {
			fmt.Fprintf(ios.ErrOut, "warning: keeping no history: %s\n", iostreams.Sanitize(err.Error()))
			history = ""
		}
	}
	inst, err := readline.NewEx(&readline.Config{
		Prompt:            sh.prompt(),
		HistoryFile:       history,
		HistoryLimit:      historyLimit,
		HistorySearchFold: true,
		// Only command lines go to the history, not message text typed at
		// "enter message:" (see SaveHistory).
		DisableAutoSaveHistory: true,
		AutoComplete:           &shellCompleter{sh: sh},
		// Ctrl-D ends the shell at its own prompt but only cancels a
		// command at one of the command's prompts: echo the key, not "quit".
		InterruptPrompt: "^C",
		EOFPrompt:       "^D",
		Stdin:           in,
		Stdout:          ios.Out,
		Stderr:          ios.ErrOut,
	})
	if err != nil {
		return nil, fmt.Errorf("starting the line editor: %w", err)
	}
	return &readlineReader{inst: inst, in: in}, nil
}

func (r *readlineReader) ReadLine(prompt string) (string, error) {
	r.inst.SetPrompt(prompt)
	r.prompting.Store(true)
	defer r.prompting.Store(false)
	line, err := r.inst.Readline()
	if errors.Is(err, readline.ErrInterrupt) {
		return line, errInterrupt
	}
	return line, err
}

func (r *readlineReader) SaveHistory(line string) { _ = r.inst.SaveHistory(line) }

func (r *readlineReader) Abandon() {
	// Emptied first: when its input ends, the editor takes a line with
	// text in it as entered and draws it again, with a newline.
	r.inst.Operation.SetBuffer("")
	r.inst.Clean()
	_ = r.Close()
}

func (r *readlineReader) Close() error {
	_ = r.in.Close()
	return r.inst.Close()
}
