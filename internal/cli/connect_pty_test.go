//go:build unix

package cli

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"

	"github.com/spgo/spgo/pkg/daemon"
)

// ptyOutput accumulates what the program writes to its terminal.
type ptyOutput struct {
	mu  sync.Mutex
	buf bytes.Buffer
	ch  chan struct{} // a token after each write
}

func (p *ptyOutput) Write(b []byte) (int, error) {
	p.mu.Lock()
	p.buf.Write(b)
	p.mu.Unlock()
	select {
	case p.ch <- struct{}{}:
	default:
	}
	return len(b), nil
}

func (p *ptyOutput) String() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.buf.String()
}

// waitMatch waits until the output after offset from matches re and
// returns the offset just past the match.
func (p *ptyOutput) waitMatch(t *testing.T, from int, re string) int {
	t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.After(10 * time.Second)
	for {
		s := p.String()
		if from <= len(s) {
			if loc := rx.FindStringIndex(s[from:]); loc != nil {
				return from + loc[1]
			}
		}
		select {
		case <-p.ch:
		case <-deadline:
			t.Fatalf("no match for %q in terminal output after offset %d:\n%q", re, from, s[min(from, len(s)):])
		}
	}
}

// waitCooked waits until the terminal generates signals again (the line
// editor left raw mode). A terminal's mode changes without an event.
func waitCooked(t *testing.T, tty *os.File) {
	t.Helper()
	var err error
	cooked := func() bool {
		var tio *unix.Termios
		tio, err = unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
		return err != nil || tio.Lflag&unix.ISIG != 0
	}
	if !pollUntil(10*time.Second, cooked) {
		t.Fatal("terminal still in raw mode after 10s")
	}
	if err != nil {
		t.Fatal(err)
	}
}

// ptySession is spgo connect running on a pseudo-terminal.
type ptySession struct {
	t      *testing.T
	cmd    *exec.Cmd
	tty    *os.File
	out    *ptyOutput
	copied chan struct{}
	env    []string
	spgo   string
	state  string // XDG_STATE_HOME of the shell
	daemon *daemon.Daemon
}

// startConnectPty starts a daemon and `spgo connect -u alice` on a
// pseudo-terminal; extraEnv is added to its environment.
func startConnectPty(t *testing.T, extraEnv ...string) *ptySession {
	t.Helper()
	spgo, d := spgoAndDaemon(t)
	state := t.TempDir()
	env := append(os.Environ(), "XDG_STATE_HOME="+state, "HOME="+state, "NO_COLOR=1", "TERM=xterm", "SPGO_SERVER="+d.SpreadName())
	env = append(env, extraEnv...)

	cmd := exec.Command(spgo, "connect", "-u", "alice")
	cmd.Env = env
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 120})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tty.Close() })
	p := &ptySession{t: t, cmd: cmd, tty: tty, out: &ptyOutput{ch: make(chan struct{}, 1)}, copied: make(chan struct{}), env: env, spgo: spgo, state: state, daemon: d}
	go func() { io.Copy(p.out, tty); close(p.copied) }()
	return p
}

func (p *ptySession) typeIn(s string) {
	if _, err := p.tty.Write([]byte(s)); err != nil {
		p.t.Fatal(err)
	}
}

// waitExit waits for the shell to end by itself (no key pressed) and
// returns how it ended; after 10s it kills the shell and fails the test.
func (p *ptySession) waitExit() error {
	p.t.Helper()
	exited := make(chan error, 1)
	go func() { exited <- p.cmd.Wait() }()
	select {
	case err := <-exited:
		return err
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-exited
		p.t.Fatalf("connect still running after 10s; output:\n%q", p.out.String())
		return nil
	}
}

// quit leaves the shell and waits for it to end with exit 0.
func (p *ptySession) quit(at int) {
	p.t.Helper()
	p.typeIn("quit\r")
	p.out.waitMatch(p.t, at, `Bye\.`)
	if err := p.cmd.Wait(); err != nil {
		p.t.Fatalf("connect exited with %v; output:\n%q", err, p.out.String())
	}
	p.tty.Close()
	<-p.copied
}

// TestConnectOnTerminal runs the real spgo connect on a pseudo-terminal:
// the prompt, tab completion of commands and joined groups, and a message
// arriving while a line is half typed.
func TestConnectOnTerminal(t *testing.T) {
	p := startConnectPty(t)
	out, typeIn, spgo, env, tty := p.out, p.typeIn, p.spgo, p.env, p.tty

	at := out.waitMatch(t, 0, `connected to \S+ as #alice#d1`)
	at = out.waitMatch(t, at, `spgo> `)

	// Tab completes the command name; then join a group.
	typeIn("jo\t")
	at = out.waitMatch(t, at, `join `)
	typeIn("chat\r")
	at = out.waitMatch(t, at, `membership chat: join of #alice#d1`)
	at = out.waitMatch(t, at, `spgo> `)

	// Tab completes a joined group.
	typeIn("send ch\t")
	at = out.waitMatch(t, at, `chat `)
	typeIn("-- half typ")
	at = out.waitMatch(t, at, `half typ`)

	// A message from someone else arrives while the line is half typed.
	send := exec.Command(spgo, "send", "-u", "bob", "chat", "-m", "interrupting")
	send.Env = env
	if b, err := send.CombinedOutput(); err != nil {
		t.Fatalf("spgo send: %v: %s", err, b)
	}
	at = out.waitMatch(t, at, `(?m)^\r?(\x1b\[[0-9;]*[A-Za-z]|\r)*SAFE from #bob#d1 to chat, type 1 \(12 bytes\): interrupting\r?\n`)
	// ... and the prompt with the half-typed line is drawn again below it.
	at = out.waitMatch(t, at, `spgo> send chat -- half typ`)

	// Finishing the line sends exactly what was typed.
	typeIn("ed\r")
	at = out.waitMatch(t, at, `SAFE from #alice#d1 to chat, type 1 \(10 bytes\): half typed`)

	// Message text typed at the "enter message:" prompt stays out of the
	// history.
	typeIn("send chat\r")
	at = out.waitMatch(t, at, `enter message: `)
	typeIn("secret\r")
	at = out.waitMatch(t, at, `\(6 bytes\): secret`)

	// Ctrl-C stops a receive that waits, and the shell goes on.
	typeIn("async off\r")
	at = out.waitMatch(t, at, `spgo> `)
	typeIn("receive\r")
	at = out.waitMatch(t, at, `receive\r?\n`)
	// The shell is waiting in receive once the line editor has handed the
	// terminal back in cooked mode; only then is Ctrl-C a signal.
	waitCooked(t, tty)
	typeIn("\x03")
	// A cancel like the one at send's prompt: the terminal's "^C", then
	// the report on a line of its own, not labelled an error.
	cancelled := out.waitMatch(t, at, `receive cancelled\r?\n`)
	if seen := out.String()[at:cancelled]; !regexp.MustCompile(`^\^C\r?\nreceive cancelled\r?\n$`).MatchString(seen) {
		t.Errorf("Ctrl-C during receive shows %q, want \"^C\", a newline and \"receive cancelled\"", seen)
	}
	at = out.waitMatch(t, cancelled, `spgo> `)

	p.quit(at)

	histPath := filepath.Join(p.state, "spgo", "history")
	hist, err := os.ReadFile(histPath)
	if err != nil {
		t.Fatal(err)
	}
	if info, err := os.Stat(histPath); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("history file: %v, mode %v, want 0600", err, info.Mode().Perm())
	}
	if !strings.Contains(string(hist), "join chat\n") || !strings.Contains(string(hist), "send chat -- half typed\n") ||
		strings.Contains(string(hist), "secret") {
		t.Errorf("history file:\n%s", hist)
	}
}

// TestConnectCancelPromptOnTerminal: Ctrl-C or Ctrl-D at a prompt inside
// a command (send's "enter message:", multiline's lines, burst's size)
// cancels that command, sends nothing and returns to the shell prompt;
// the hint about leaving belongs to the shell prompt only.
func TestConnectCancelPromptOnTerminal(t *testing.T) {
	p := startConnectPty(t)
	out, typeIn := p.out, p.typeIn
	at := joinChatAtPrompt(t, out, typeIn)
	start := at

	steps := []struct{ command, prompt, typed, key string }{
		{"send chat", `enter message: `, "", "\x03"},
		{"send chat", `enter message: `, "half", "\x03"},
		{"send chat", `enter message: `, "", "\x04"},
		{"multiline chat", `enter message \(end with an empty line\): `, "line one\r", "\x03"},
		{"multiline chat", `enter message \(end with an empty line\): `, "", "\x04"},
		{"burst chat", `enter size of each message: `, "", "\x03"},
	}
	for _, st := range steps {
		typeIn(st.command + "\r")
		at = out.waitMatch(t, at, st.prompt)
		typeIn(st.typed + st.key)
		at = out.waitMatch(t, at, `\b`+strings.Fields(st.command)[0]+` cancelled, nothing sent\r?\n`)
		at = out.waitMatch(t, at, `spgo> `)
	}

	// Ctrl-C at the shell prompt itself still gives the hint; the shell goes on.
	typeIn("\x03")
	at = out.waitMatch(t, at, `\(type "quit" or press Ctrl-D to leave\)`)
	at = out.waitMatch(t, at, `spgo> `)

	// Nothing of the cancelled commands reached the group: the next
	// message is the first one delivered.
	typeIn("send chat -- after\r")
	at = out.waitMatch(t, at, `SAFE from #alice#d1 to chat, type 1 \(5 bytes\): after`)
	seen := out.String()[start:at]
	if n := strings.Count(seen, "SAFE from") + strings.Count(seen, "FIFO from"); n != 1 {
		t.Errorf("%d messages delivered, want only \"after\":\n%q", n, seen)
	}
	if strings.Contains(seen, "error: EOF") || strings.Count(seen, "Ctrl-D to leave") != 1 {
		t.Errorf("terminal output:\n%q", seen)
	}
	p.quit(at)
}

// TestConnectDaemonLostOnTerminal: when the daemon goes away while the
// shell waits at its prompt, the shell says so at once on a line of its
// own (the prompt line cleared, not glued to it) and exits 5, without
// waiting for another line to be typed.
func TestConnectDaemonLostOnTerminal(t *testing.T) {
	p := startConnectPty(t)
	out, typeIn := p.out, p.typeIn
	at := joinChatAtPrompt(t, out, typeIn)
	typeIn("half typ")
	at = out.waitMatch(t, at, `half typ`)

	p.daemon.Close()
	err := p.waitExit()
	out.waitMatch(t, at, `connection to the daemon lost[^\r\n]*\r?\n`)
	if code := exitCodeOf(err); code != ExitConnectLost {
		t.Fatalf("connect exited with %v (code %d), want %d; output:\n%q", err, code, ExitConnectLost, out.String())
	}
	// The message starts a line of its own: whatever of the prompt line
	// was on the screen is erased first.
	lines := strings.Split(out.String(), "\n")
	var lostLine string
	for _, l := range lines {
		if strings.Contains(l, "connection to the daemon lost") {
			lostLine = l
		}
	}
	// It takes the place of the prompt line, erased: the half-typed text
	// was not entered.
	if shown := screenLine(lostLine); !strings.HasPrefix(shown, "spgo: connection to the daemon lost") ||
		!strings.Contains(lostLine, "spgo> half typ") {
		t.Errorf("the loss is reported on the line %q (as shown: %q), want it in place of the prompt line", lostLine, shown)
	}
}

// TestConnectSigtermOnTerminal: SIGTERM ends the shell at its prompt at
// once, without waiting for a key.
func TestConnectSigtermOnTerminal(t *testing.T) {
	p := startConnectPty(t)
	at := p.out.waitMatch(t, 0, `spgo> `)
	p.typeIn("half typ")
	at = p.out.waitMatch(t, at, `half typ`)
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := p.waitExit(); err != nil {
		t.Fatalf("connect exited with %v; output:\n%q", err, p.out.String())
	}
	p.out.waitMatch(t, at, `Bye\.`)
}

// csi matches a terminal control sequence: ESC [ parameters final-byte.
var csi = regexp.MustCompile(`^\x1b\[([0-9;?]*)([A-Za-z])`)

// screenLine is what a terminal shows of one line of output: carriage
// returns, backspaces, cursor moves and erasures applied to the text.
func screenLine(raw string) string {
	var cells []rune
	col := 0
	put := func(r rune) {
		for len(cells) <= col {
			cells = append(cells, ' ')
		}
		cells[col] = r
		col++
	}
	for i := 0; i < len(raw); {
		if m := csi.FindStringSubmatch(raw[i:]); m != nil {
			n, _ := strconv.Atoi(m[1])
			switch m[2] {
			case "D":
				col = max(0, col-max(n, 1))
			case "C":
				col += max(n, 1)
			case "G":
				col = max(0, n-1)
			case "K", "J":
				if n == 0 && col < len(cells) {
					cells = cells[:col]
				} else if n == 2 {
					cells = nil
				}
			}
			i += len(m[0])
			continue
		}
		r, size := utf8.DecodeRuneInString(raw[i:])
		i += size
		switch r {
		case '\r':
			col = 0
		case '\b':
			col = max(0, col-1)
		default:
			put(r)
		}
	}
	return strings.TrimRight(string(cells), " ")
}

// TestConnectHistoryStaysPrivate: a history file named by SPGO_HISTORY,
// readable by others and over the line editor's limit, is private after a
// session and holds the newest lines, the session's last.
func TestConnectHistoryStaysPrivate(t *testing.T) {
	histPath := filepath.Join(t.TempDir(), "hist")
	var old strings.Builder
	for i := range historyLimit + 100 {
		fmt.Fprintf(&old, "send chat -- old %d\n", i)
	}
	if err := os.WriteFile(histPath, []byte(old.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(histPath, 0o644); err != nil {
		t.Fatal(err)
	}
	p := startConnectPty(t, "SPGO_HISTORY="+histPath)
	at := p.out.waitMatch(t, 0, `spgo> `)
	p.typeIn("join chat\r")
	at = p.out.waitMatch(t, at, `membership chat: join of #alice#d1`)
	at = p.out.waitMatch(t, at, `spgo> `)
	p.quit(at)

	info, err := os.Stat(histPath)
	if err != nil {
		t.Fatal(err)
	}
	if m := info.Mode().Perm(); m != 0o600 {
		t.Errorf("history file mode %v after the session, want 0600", m)
	}
	hist, err := os.ReadFile(histPath)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(hist), "\n"), "\n")
	want := []string{"send chat -- old 100", "join chat", "quit"} // the first kept, the session's two
	if got := []string{lines[0], lines[len(lines)-2], lines[len(lines)-1]}; len(lines) != historyLimit+2 || !slices.Equal(got, want) {
		t.Errorf("history has %d lines, first and last two %q, want %d, %q", len(lines), got, historyLimit+2, want)
	}
	if _, err := os.Stat(filepath.Join(p.state, "spgo", "history")); !os.IsNotExist(err) {
		t.Errorf("default history file written too: %v", err)
	}
}

// joinChatAtPrompt types "join chat" at the shell's first prompt and
// returns the output offset after the prompt that follows alice's join.
func joinChatAtPrompt(t *testing.T, out *ptyOutput, typeIn func(string)) int {
	t.Helper()
	at := out.waitMatch(t, 0, `spgo> `)
	typeIn("join chat\r")
	at = out.waitMatch(t, at, `membership chat: join of #alice#d1`)
	return out.waitMatch(t, at, `spgo> `)
}
