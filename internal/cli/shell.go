package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"

	"github.com/spgo/spgo/internal/cli/iostreams"
	"github.com/spgo/spgo/internal/english"
)

// shellHelp is the command menu, printed by "help" and in connect --help.
const shellHelp = `  join (j) GROUP...                   join groups
  leave (l) GROUP...                  leave groups
  send (s) [FLAGS] GROUP... [-- MSG]  send one line (asked for when not given after --)
  multiline (m) [FLAGS] GROUP...      send several lines, ended by an empty line
  burst (b) [FLAGS] GROUP [SIZE [N]]  send N (10) messages of SIZE bytes (FIFO, type 2)
  receive (r) [N]                     print the next N (1) messages, waiting for them
  poll (p)                            how many messages and bytes are waiting
  async (e/d) [on|off]                print messages as they arrive (e: on, default) or
                                      keep them for receive (d: off)
  groups (g)                          list the groups this session joined
  help (h, ?)                         this menu
  quit (q)                            disconnect and leave
  send/multiline/burst FLAGS: -S/--service unreliable|reliable|fifo|causal|agreed|safe
    (default safe; burst: fifo), -t/--type N (16-bit; default 1; burst: 2), --self-discard
`

// shellCommands maps every name and alias to the command it means.
var shellCommands = map[string]string{
	"join": "join", "j": "join",
	"leave": "leave", "l": "leave",
	"send": "send", "s": "send",
	"multiline": "multiline", "m": "multiline",
	"burst": "burst", "b": "burst",
	"receive": "receive", "r": "receive",
	"poll": "poll", "p": "poll",
	"async": "async", "e": "async", "d": "async",
	"groups": "groups", "g": "groups",
	"help": "help", "h": "help", "?": "help",
	"quit": "quit", "q": "quit", "exit": "quit",
}

// shellCommandNames are the long names, for completion.
var shellCommandNames = []string{"async", "burst", "groups", "help", "join", "leave", "multiline", "poll", "quit", "receive", "send"}

func shellAlias(word string) string { return shellCommands[word] }

var errQuit = errors.New("quit")

// errInterrupt is Ctrl-C typed while the line editor reads a line.
var errInterrupt = errors.New("interrupted")

// leaveHint answers Ctrl-C at the shell prompt. It is never printed at a
// command's own prompt, where typing "quit" would be taken as text.
const leaveHint = `(type "quit" or press Ctrl-D to leave)`

// cancelledError ends a command the user cancelled: Ctrl-C, Ctrl-D or
// the end of scripted input at a sending command's prompt (nothing was
// sent), or Ctrl-C during a waiting receive. It is no error: the shell
// says so on a line of its own and goes on.
type cancelledError struct {
	cmd         string
	nothingSent bool
}

func (e *cancelledError) Error() string {
	if e.nothingSent {
		return e.cmd + " cancelled, nothing sent"
	}
	return e.cmd + " cancelled"
}

// shell is one interactive session: a command loop on the main goroutine
// and a receiver goroutine that prints or queues what arrives.
type shell struct {
	ctx     context.Context
	s       Session
	opts    *ConnectOptions
	lr      lineReader
	out     io.Writer
	printer *printer

	mu       sync.Mutex
	async    bool
	queue    []*event
	avail    chan struct{} // a token when the queue grew
	dead     chan struct{} // closed when the receiver stops
	deadErr  error
	joined   map[string]bool
	prevSize int // burst's last size, as spuser remembers it
	// intr gets a token on Ctrl-C (interactive only): it stops a receive
	// that is waiting.
	intr chan struct{}
}

func newShell(ctx context.Context, s Session, opts *ConnectOptions) *shell {
	ios := opts.Factory.IOStreams
	p := newPrinter(ios, opts.Output, false, "")
	p.block = true
	if !opts.Interactive && ios.ColorMode() != "always" {
		p.cs = iostreams.NoColorScheme() // scripted: plain text unless asked for
	}
	return &shell{
		ctx: ctx, s: s, opts: opts, printer: p,
		async: true, avail: make(chan struct{}, 1), dead: make(chan struct{}),
		joined: map[string]bool{},
	}
}

func (sh *shell) prompt() string {
	if !sh.opts.Interactive {
		return ""
	}
	return sh.opts.Factory.IOStreams.ColorScheme().Bold("spgo> ")
}

// receiveLoop reads the session until it ends, printing events at once in
// async mode and queueing them otherwise.
func (sh *shell) receiveLoop() {
	defer close(sh.dead)
	for {
		e, err := sh.s.Receive(sh.ctx)
		if errors.Is(err, errSkipped) {
			fmt.Fprintf(sh.opts.Factory.IOStreams.ErrOut, "warning: %s\n", err)
			continue
		}
		if err != nil {
			sh.mu.Lock()
			if sh.ctx.Err() == nil {
				sh.deadErr = err
			}
			sh.mu.Unlock()
			return
		}
		sh.mu.Lock()
		if e.Kind == KindMembership && e.Cause == "self-leave" {
			delete(sh.joined, e.Group)
		}
		if sh.async {
			_ = sh.printer.print(e, true)
		} else {
			sh.queue = append(sh.queue, e)
			select {
			case sh.avail <- struct{}{}:
			default:
			}
		}
		sh.mu.Unlock()
	}
}

// readLine reads a line, giving up when the session dies meanwhile.
func (sh *shell) readLine(prompt string) (string, error) {
	type result struct {
		line string
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		l, err := sh.lr.ReadLine(prompt)
		ch <- result{l, err}
	}()
	select {
	case r := <-ch:
		return r.line, r.err
	case <-sh.dead:
		sh.lr.Abandon()
		return "", sh.lostError()
	case <-sh.ctx.Done():
		sh.lr.Abandon()
		return "", errQuit
	}
}

// lostError is the error of a session that died (exit 5).
func (sh *shell) lostError() error {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.deadErr == nil {
		return errQuit
	}
	return connectionLost(fmt.Errorf("%w: %w", errConnectionLost, sh.deadErr))
}

// ask reads the answer to a prompt of cmd. Ctrl-C, Ctrl-D or the end of
// input there cancel cmd (a *cancelledError); a lost session stays exit 5.
func (sh *shell) ask(cmd, prompt string) (string, error) {
	l, err := sh.readLine(prompt)
	if ExitCode(err) == ExitConnectLost {
		return "", err // checked first: it wraps io.EOF too
	}
	if errors.Is(err, errInterrupt) || errors.Is(err, io.EOF) {
		return "", &cancelledError{cmd: cmd, nothingSent: true}
	}
	return l, err
}

func (sh *shell) loop() error {
	for {
		line, err := sh.readCommand()
		if errors.Is(err, errInterrupt) {
			if line == "" {
				fmt.Fprintln(sh.out, leaveHint)
			}
			continue // Ctrl-C with text typed just drops the line
		}
		if err != nil {
			return err
		}
		if strings.TrimSpace(line) != "" {
			sh.lr.SaveHistory(line)
		}
		if err := sh.exec(line); err != nil {
			if errors.Is(err, errQuit) || ExitCode(err) == ExitConnectLost {
				return err
			}
			var cancelled *cancelledError
			if errors.As(err, &cancelled) {
				fmt.Fprintln(sh.opts.Factory.IOStreams.ErrOut, cancelled)
				continue
			}
			fmt.Fprintf(sh.opts.Factory.IOStreams.ErrOut, "error: %s\n", oneLine(iostreams.Sanitize(err.Error())))
		}
	}
}

// exec runs one command line.
func (sh *shell) exec(line string) error {
	words := strings.Fields(line)
	if len(words) == 0 {
		return nil
	}
	cmd := shellAlias(words[0])
	args := words[1:]
	switch cmd {
	case "join", "leave":
		return sh.joinLeave(cmd, args)
	case "send", "multiline", "burst":
		return sh.send(cmd, line)
	case "receive":
		return sh.receive(args)
	case "poll":
		return sh.poll()
	case "async":
		return sh.setAsync(words[0], args)
	case "groups":
		sh.mu.Lock()
		g := sortedKeys(sh.joined)
		sh.mu.Unlock()
		sh.report(fmt.Sprintf("joined: %s", groupList(g)), jsonGroups{Kind: "groups", Groups: nonNil(g)})
		return nil
	case "help":
		fmt.Fprint(sh.out, shellHelp)
		return nil
	case "quit":
		return errQuit
	}
	return fmt.Errorf("unknown command %q: type help for the commands", words[0])
}

// report prints the shell's own output: text, or with -o json obj (one
// of the shell's json types) on a line of its own like the events.
func (sh *shell) report(text string, obj any) {
	if sh.opts.Output == OutputJSON {
		_ = writeJSONLine(sh.out, obj)
		return
	}
	fmt.Fprintln(sh.out, text)
}

func (sh *shell) joinLeave(cmd string, groups []string) error {
	if len(groups) == 0 {
		return fmt.Errorf("%s needs at least one group", cmd)
	}
	if err := checkGroups(groups, checkJoinGroup); err != nil {
		return err
	}
	for _, g := range groups {
		var err error
		if cmd == "join" {
			err = sh.s.Join(g)
		} else {
			err = sh.s.Leave(g)
		}
		if err != nil {
			return lost(fmt.Errorf("%s %s: %w", cmd, g, err))
		}
		sh.mu.Lock()
		if cmd == "join" {
			sh.joined[g] = true
		} else {
			delete(sh.joined, g)
		}
		sh.mu.Unlock()
	}
	return lost(sh.s.Flush())
}

func (sh *shell) receive(args []string) error {
	n := 1
	if len(args) > 0 {
		if _, err := fmt.Sscanf(args[0], "%d", &n); err != nil || n < 1 {
			return fmt.Errorf("receive %q: allowed is a count of 1 or more", args[0])
		}
	}
	for i := 0; i < n; i++ {
		e, err := sh.next()
		if err != nil {
			return err
		}
		if err := sh.printer.print(e, true); err != nil {
			return err
		}
	}
	return nil
}

// next takes the oldest queued event, waiting for one.
func (sh *shell) next() (*event, error) {
	for {
		sh.mu.Lock()
		if sh.async {
			sh.mu.Unlock()
			return nil, errors.New(`async display is on, messages are printed as they arrive ("async off" keeps them for receive)`)
		}
		if len(sh.queue) > 0 {
			e := sh.queue[0]
			sh.queue = sh.queue[1:]
			sh.mu.Unlock()
			return e, nil
		}
		sh.mu.Unlock()
		select {
		case <-sh.avail:
		case <-sh.dead:
			sh.mu.Lock()
			empty := len(sh.queue) == 0
			sh.mu.Unlock()
			if empty {
				return nil, sh.lostError()
			}
		case <-sh.intr:
			if sh.opts.Interactive {
				// The terminal echoed the key as "^C" where the cursor
				// was: end that line, so the report has one of its own.
				fmt.Fprintln(sh.out)
			}
			return nil, &cancelledError{cmd: "receive"}
		case <-sh.ctx.Done():
			return nil, errQuit
		}
	}
}

// readCommand reads the next command line. A Ctrl-C that came while the
// previous command was busy and waited for none (a long burst, say) is
// dropped first: it was meant for that moment, and left on intr it would
// stop the next receive as soon as it began. One typed after the line is
// entered is kept: it is for the command that line starts.
func (sh *shell) readCommand() (string, error) {
	sh.dropInterrupts()
	return sh.readLine(sh.prompt())
}

// dropInterrupts discards the Ctrl-C tokens waiting on intr.
func (sh *shell) dropInterrupts() {
	for {
		select {
		case <-sh.intr:
		default:
			return
		}
	}
}

func (sh *shell) poll() error {
	sh.mu.Lock()
	n, size := len(sh.queue), 0
	for _, e := range sh.queue {
		size += e.wireSize()
	}
	async := sh.async
	sh.mu.Unlock()
	if async {
		sh.report("poll: async display is on, nothing is kept waiting", jsonPoll{Kind: "poll", Async: true})
		return nil
	}
	sh.report(fmt.Sprintf("poll: %d %s waiting (%d bytes)", n, english.Plural(n, "message", "messages"), size),
		jsonPoll{Kind: "poll", Messages: n, Bytes: size})
	return nil
}

func (sh *shell) setAsync(word string, args []string) error {
	on := true
	switch {
	case word == "e":
	case word == "d":
		on = false
	case len(args) == 0:
		sh.mu.Lock()
		state := map[bool]string{true: "on", false: "off"}[sh.async]
		sh.mu.Unlock()
		sh.report("async display is "+state, jsonAsync{Kind: "async", Async: state == "on"})
		return nil
	case args[0] == "on":
	case args[0] == "off":
		on = false
	default:
		return fmt.Errorf("async %q: allowed are on and off", args[0])
	}
	sh.mu.Lock()
	defer sh.mu.Unlock()
	sh.async = on
	if on { // what waited is printed now, in order
		for _, e := range sh.queue {
			_ = sh.printer.print(e, true)
		}
		sh.queue = nil
	}
	return nil
}

// wireSize is what SP_poll would count for e: its data (membership
// bodies are not kept, so their size is estimated from the lists).
func (e *event) wireSize() int {
	if e.Kind != KindMembership {
		return len(e.Data)
	}
	n := 12
	if e.Cause != "transition" && e.Cause != "self-leave" {
		n = 20
		for _, s := range e.VSSets {
			n += 4 + 32*len(s)
		}
	}
	if e.Cause == "self-leave" {
		n = 0
	}
	return n
}

func (sh *shell) joinedGroups() []string {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	g := sortedKeys(sh.joined)
	sort.Strings(g)
	return g
}
