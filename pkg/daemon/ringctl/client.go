package ringctl

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"time"
)

// ErrNoRing is wrapped by Send's error when nothing serves the control
// socket.
var ErrNoRing = errors.New("no ring is running there")

// Send sends one command line to the ring serving the control socket at
// path and returns its reply's text, the layout (ParseLayout reads it). A
// command the ring refused, or a line Check refuses (found before
// dialling), is a *daemon.FaultError carrying the message.
func Send(path, line string) (string, error) {
	if err := Check(line); err != nil {
		return "", err
	}
	c, err := net.DialTimeout("unix", path, timeout)
	if errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ECONNREFUSED) {
		return "", fmt.Errorf("daemon: control socket %s: %w (start one with spgo daemon --nodes N)", path, ErrNoRing)
	}
	if err != nil {
		return "", fmt.Errorf("daemon: control socket %s: %w", path, err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(timeout))
	if _, err := io.WriteString(c, line+"\n"); err != nil {
		return "", fmt.Errorf("daemon: control socket %s: %w", path, err)
	}
	reply, err := bufio.NewReader(io.LimitReader(c, maxLine)).ReadString('\n')
	if err != nil {
		return "", fmt.Errorf("daemon: control socket %s: no reply: %w", path, err)
	}
	reply = strings.TrimSpace(reply)
	switch {
	case strings.HasPrefix(reply, "ok"):
		return strings.TrimSpace(strings.TrimPrefix(reply, "ok")), nil
	case strings.HasPrefix(reply, "error: "):
		return "", refused("%s", strings.TrimPrefix(reply, "error: "))
	}
	return "", fmt.Errorf("daemon: control socket %s: unexpected reply %q", path, reply)
}
