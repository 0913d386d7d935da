package cli

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

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
// editor left raw mode).
func waitCooked(t *testing.T, tty *os.File) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		tio, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
		if err != nil {
			t.Fatal(err)
		}
		if tio.Lflag&unix.ISIG != 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("terminal still in raw mode after 10s")
		}
		time.Sleep(time.Millisecond)
	}
}

// TestConnectOnTerminal runs the real spgo connect on a pseudo-terminal:
// the prompt, tab completion of commands and joined groups, and a message
// arriving while a line is half typed.
func TestConnectOnTerminal(t *testing.T) {
	spgo, err := exec.LookPath("spgo") // set up by testscript.RunMain in TestMain
	if err != nil {
		t.Fatalf("spgo test command not on PATH: %v", err)
	}
	d, err := daemon.Start(daemon.Config{Name: "d1", Port: 0, SocketDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	state := t.TempDir()
	env := append(os.Environ(), "XDG_STATE_HOME="+state, "HOME="+state, "NO_COLOR=1", "TERM=xterm", "SPGO_SERVER="+d.SpreadName())

	cmd := exec.Command(spgo, "connect", "-u", "alice")
	cmd.Env = env
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 120})
	if err != nil {
		t.Fatal(err)
	}
	defer tty.Close()
	out := &ptyOutput{ch: make(chan struct{}, 1)}
	copied := make(chan struct{})
	go func() { io.Copy(out, tty); close(copied) }()
	typeIn := func(s string) {
		if _, err := tty.Write([]byte(s)); err != nil {
			t.Fatal(err)
		}
	}

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
	at = out.waitMatch(t, at, `error: receive interrupted`)
	at = out.waitMatch(t, at, `spgo> `)

	typeIn("quit\r")
	out.waitMatch(t, at, `Bye\.`)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("connect exited with %v; output:\n%q", err, out.String())
	}
	tty.Close()
	<-copied

	hist, err := os.ReadFile(filepath.Join(state, "spgo", "history"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(hist), "join chat\n") || !strings.Contains(string(hist), "send chat -- half typed\n") ||
		strings.Contains(string(hist), "secret") {
		t.Errorf("history file:\n%s", hist)
	}
}
