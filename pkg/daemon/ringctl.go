package daemon

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spgo/spgo/internal/unixsock"
)

// The control interface of a running ring: a Unix socket only its owner
// may use (mode 0600), one command line per connection, one reply line
// ("ok ..." or "error: ..."). Commands:
//
//	crash NODE        stop NODE as a crashing daemon stops
//	restart NODE      start a crashed NODE again
//	partition SPEC    split the ring: "d1,d2/d3" (every node exactly once)
//	heal              end the partition
//	hold              make the next fault wait (Ring.Hold)
//	step              tell the next part of a held fault (Ring.Step)
//	status            the layout, as after every fault
//
// Every successful reply is "ok " and the layout: the components in the
// partition syntax, then " crashed=NODE,..." when some node is down, then
// " held=next", " held=unnoticed" or " held=transitional" while a fault
// is held.

// DefaultControlPath is where `spgo daemon --nodes N` puts its control
// socket: next to the Unix sockets, named after the port.
func DefaultControlPath(socketDir string, port int) string {
	return filepath.Join(socketDir, "spgo-ring-"+strconv.Itoa(port)+".ctl")
}

// ParsePartition reads the partition syntax "d1,d2/d3": components
// separated by '/', node names by ','. It checks the form only; Partition
// checks the names against the ring.
func ParsePartition(spec string) ([][]string, error) {
	if strings.TrimSpace(spec) == "" {
		return nil, faultf(`empty partition: want components separated by "/", nodes by "," (e.g. d1,d2/d3)`)
	}
	var out [][]string
	for i, part := range strings.Split(spec, "/") {
		var comp []string
		for _, name := range strings.Split(part, ",") {
			name = strings.TrimSpace(name)
			if name == "" {
				return nil, faultf("partition %q: component %d has an empty node name (e.g. d1,d2/d3)", spec, i+1)
			}
			comp = append(comp, name)
		}
		out = append(out, comp)
	}
	return out, nil
}

// LayoutString is the layout in the partition syntax, with the crashed
// nodes: "d1,d2/d3" or "d1,d2 crashed=d3".
func (r *Ring) LayoutString() string {
	comps, crashed := r.Layout()
	parts := make([]string, len(comps))
	for i, c := range comps {
		parts[i] = strings.Join(c, ",")
	}
	s := strings.Join(parts, "/")
	if s == "" {
		s = "-"
	}
	if len(crashed) > 0 {
		s += " crashed=" + strings.Join(crashed, ",")
	}
	if held := r.heldState(); held != "" {
		s += " held=" + held
	}
	return s
}

// RingLayout is a control reply's layout read back: what LayoutString
// writes.
type RingLayout struct {
	Components [][]string // the live nodes, by component
	Crashed    []string
	Held       string // "next", "unnoticed", "transitional" or ""
}

// Live is the nodes that are up, component by component.
func (l RingLayout) Live() []string {
	var out []string
	for _, c := range l.Components {
		out = append(out, c...)
	}
	return out
}

// Nodes is every node of the ring: the live ones, then the crashed.
func (l RingLayout) Nodes() []string { return append(l.Live(), l.Crashed...) }

// ParseLayout reads a layout in LayoutString's form ("d1,d2/d3",
// "d1,d2 crashed=d3 held=next"), as Control returns it after a command.
func ParseLayout(s string) (RingLayout, error) {
	var l RingLayout
	f := strings.Fields(s)
	if len(f) == 0 {
		return l, fmt.Errorf("daemon: empty ring layout")
	}
	if f[0] != "-" {
		comps, err := ParsePartition(f[0])
		if err != nil {
			return l, err
		}
		l.Components = comps
	}
	for _, kv := range f[1:] {
		switch k, v, _ := strings.Cut(kv, "="); k {
		case "crashed":
			l.Crashed = strings.Split(v, ",")
		case "held":
			l.Held = v
		default:
			return l, fmt.Errorf("daemon: ring layout %q: unknown field %q", s, kv)
		}
	}
	return l, nil
}

// heldState names where a held fault is: "next" (Hold, no fault yet),
// "unnoticed" (applied, nobody told), "transitional"; "" when none.
func (r *Ring) heldState() string {
	q := r.seq
	q.mu.Lock()
	defer q.mu.Unlock()
	switch {
	case q.hold:
		return "next"
	case q.held == nil:
		return ""
	case q.heldStage == 0:
		return "unnoticed"
	}
	return "transitional"
}

// Command applies one control command line and returns the reply's text
// (the layout). Errors are FaultErrors naming what was wrong.
func (r *Ring) Command(line string) (string, error) {
	f := strings.Fields(line)
	if len(f) == 0 {
		return "", faultf("empty command: want crash NODE, restart NODE, partition SPEC, heal, hold, step or status")
	}
	want := func(n int, usage string) error {
		if len(f) != n {
			return faultf("%s takes %s", f[0], usage)
		}
		return nil
	}
	var err error
	switch f[0] {
	case "crash":
		if err = want(2, "one node name (crash d3)"); err == nil {
			err = r.Crash(f[1])
		}
	case "restart":
		if err = want(2, "one node name (restart d3)"); err == nil {
			err = r.Restart(f[1])
		}
	case "partition":
		if err = want(2, "one partition (partition d1,d2/d3)"); err == nil {
			var comps [][]string
			if comps, err = ParsePartition(f[1]); err == nil {
				err = r.Partition(comps...)
			}
		}
	case "heal":
		if err = want(1, "no arguments"); err == nil {
			err = r.Heal()
		}
	case "hold":
		if err = want(1, "no arguments"); err == nil {
			err = r.Hold()
		}
	case "step":
		if err = want(1, "no arguments"); err == nil {
			_, err = r.Step()
		}
	case "status":
		err = want(1, "no arguments")
	default:
		err = faultf("unknown command %q: want crash NODE, restart NODE, partition SPEC, heal, hold, step or status", f[0])
	}
	if err != nil {
		return "", err
	}
	return r.LayoutString(), nil
}

// ControlServer serves a ring's control socket until Close.
type ControlServer struct {
	l    net.Listener
	path string
	own  os.FileInfo
	wg   sync.WaitGroup
}

// maxControlLine bounds a command line.
const maxControlLine = 4096

// controlTimeout bounds one control connection.
const controlTimeout = 5 * time.Second

// ServeControl listens on the Unix socket path, readable and writable by
// this process's user only, and applies the commands it receives. A socket
// left behind at path is replaced; a live one is refused (ErrSocketInUse).
func (r *Ring) ServeControl(path string) (*ControlServer, error) {
	if err := unixsock.RemoveStale(path); err != nil {
		return nil, err
	}
	// Bind under a temporary name and make it private before it gets its
	// real name: nobody else can connect in between.
	tmp := path + ".tmp" + strconv.Itoa(os.Getpid())
	os.Remove(tmp)
	l, err := net.Listen("unix", tmp)
	if err != nil {
		return nil, fmt.Errorf("daemon: control socket %s: %w", path, err)
	}
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	if err := os.Chmod(tmp, 0o600); err != nil {
		l.Close()
		os.Remove(tmp)
		return nil, fmt.Errorf("daemon: control socket %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		l.Close()
		os.Remove(tmp)
		return nil, fmt.Errorf("daemon: control socket %s: %w", path, err)
	}
	own, _ := os.Lstat(path)
	cs := &ControlServer{l: l, path: path, own: own}
	cs.wg.Add(1)
	go func() {
		defer cs.wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			cs.wg.Add(1)
			go func() {
				defer cs.wg.Done()
				r.serveControl(c)
			}()
		}
	}()
	return cs, nil
}

func (r *Ring) serveControl(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(controlTimeout))
	line, err := bufio.NewReader(io.LimitReader(c, maxControlLine)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return
	}
	reply, err := r.Command(strings.TrimSpace(line))
	if err != nil {
		msg := strings.TrimPrefix(err.Error(), "daemon: ")
		fmt.Fprintf(c, "error: %s\n", strings.ReplaceAll(msg, "\n", " "))
		return
	}
	fmt.Fprintf(c, "ok %s\n", reply)
}

// Path is the control socket's path.
func (cs *ControlServer) Path() string { return cs.path }

// Close stops serving and removes the socket.
func (cs *ControlServer) Close() error {
	err := cs.l.Close()
	cs.wg.Wait()
	if cs.own != nil {
		unixsock.RemoveOwn(cs.path, cs.own)
	}
	return err
}

// ErrNoRing is wrapped by Control's error when nothing serves the control
// socket.
var ErrNoRing = errors.New("no ring is running there")

// Control sends one command line to the ring serving the control socket
// at path and returns its reply's text. A refused command is a FaultError.
func Control(path, line string) (string, error) {
	c, err := net.DialTimeout("unix", path, controlTimeout)
	if errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ECONNREFUSED) {
		return "", fmt.Errorf("daemon: control socket %s: %w (start one with spgo daemon --nodes N)", path, ErrNoRing)
	}
	if err != nil {
		return "", fmt.Errorf("daemon: control socket %s: %w", path, err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(controlTimeout))
	if _, err := io.WriteString(c, line+"\n"); err != nil {
		return "", fmt.Errorf("daemon: control socket %s: %w", path, err)
	}
	reply, err := bufio.NewReader(io.LimitReader(c, maxControlLine)).ReadString('\n')
	if err != nil {
		return "", fmt.Errorf("daemon: control socket %s: no reply: %w", path, err)
	}
	reply = strings.TrimSpace(reply)
	switch {
	case strings.HasPrefix(reply, "ok"):
		return strings.TrimSpace(strings.TrimPrefix(reply, "ok")), nil
	case strings.HasPrefix(reply, "error: "):
		return "", faultf("%s", strings.TrimPrefix(reply, "error: "))
	}
	return "", fmt.Errorf("daemon: control socket %s: unexpected reply %q", path, reply)
}
