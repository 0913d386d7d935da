package cli

import (
	"bufio"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/spgo/spgo/pkg/daemon"
)

// TestConnectDaemonLostPiped: scripted through a pipe that stays open,
// the shell ends with exit 5 when its daemon goes away, not when its
// input ends.
func TestConnectDaemonLostPiped(t *testing.T) {
	spgo, d := spgoAndDaemon(t)

	cmd := exec.Command(spgo, "connect", "-u", "alice", "-s", d.SpreadName())
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir(), "XDG_STATE_HOME=")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close() // held open until the end: input never ends by itself
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	joined, exited := make(chan struct{}), make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "membership chat: join of #alice#d1") {
				close(joined)
			}
		}
		exited <- cmd.Wait() // after stdout is read to its end, as Wait requires
	}()
	if _, err := io.WriteString(stdin, "join chat\n"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-joined:
	case err := <-exited:
		t.Fatalf("connect exited before joining: %v; stderr:\n%s", err, stderr.String())
	}
	d.Close()
	select {
	case err := <-exited:
		if code := exitCodeOf(err); code != ExitConnectLost {
			t.Fatalf("connect exited with %v (code %d), want %d; stderr:\n%s", err, code, ExitConnectLost, stderr.String())
		}
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("connect still running 10s after its daemon stopped; stderr:\n%s", stderr.String())
	}
	if !strings.HasPrefix(stderr.String(), "spgo: connection to the daemon lost") {
		t.Errorf("stderr:\n%s", stderr.String())
	}
}

// exitCodeOf is the exit status of a finished command (0 for nil).
func exitCodeOf(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

// spgoAndDaemon finds the spgo test command (put on PATH by testscript in
// TestMain) and starts a daemon d1 for it, closed at cleanup.
func spgoAndDaemon(t *testing.T) (spgo string, d *daemon.Daemon) {
	t.Helper()
	spgo, err := exec.LookPath("spgo")
	if err != nil {
		t.Fatalf("spgo test command not on PATH: %v", err)
	}
	d, err = daemon.Start(daemon.Config{Name: "d1", Port: 0, SocketDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return spgo, d
}
