// Package capture reads the byte-exact transcripts of real Spread 4.4.0
// conversations kept in testdata/captures (format: testdata/captures/README.md).
package capture

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Kind says what an Event is.
type Kind int

const (
	Open     Kind = iota // a client opened a connection
	Unit                 // one protocol unit travelled
	Close                // the connection was closed
	Datagram             // one UDP datagram of the monitor protocol
)

// Direction of a unit.
const (
	ClientToDaemon = "C>D"
	DaemonToClient = "D>C"
)

// Direction of a datagram.
const (
	MonitorToDaemon = "M>D"
	DaemonToMonitor = "D>M"
)

// Event is one line of a transcript.
type Event struct {
	Kind    Kind
	Conn    string // connection label: "A", "B", ...
	Dir     string // ClientToDaemon or DaemonToClient, for units
	By      string // "C" or "D": who closed, for Close
	Payload []byte
	Src     string   // for a Datagram: the sender's ip:port
	Dst     string   // for a Datagram: the receiver's ip:port
	Line    int      // line number in the file, for test messages
	Notes   []string // the '#' lines just before this event
}

// File is a parsed transcript.
type File struct {
	Name    string
	Events  []Event
	Printed []string // the '#|' lines: what the client programs printed
}

// Read parses the transcript at path.
func Read(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := &File{Name: filepath.Base(path)}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 4<<20)
	var notes []string
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case line == "":
			continue
		case strings.HasPrefix(line, "#|"):
			out.Printed = append(out.Printed, strings.TrimSpace(line[2:]))
			continue
		case strings.HasPrefix(line, "#"):
			notes = append(notes, line)
			continue
		}
		ev, err := parseLine(line)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		ev.Line, ev.Notes, notes = n, notes, nil
		out.Events = append(out.Events, ev)
	}
	return out, sc.Err()
}

func parseLine(line string) (Event, error) {
	parts := strings.Split(line, " ")
	if len(parts) < 2 {
		return Event{}, fmt.Errorf("bad line %q", line)
	}
	ev := Event{Conn: parts[0]}
	switch parts[1] {
	case "OPEN":
		ev.Kind = Open
	case "CLOSE":
		if len(parts) != 3 {
			return ev, fmt.Errorf("bad CLOSE line %q", line)
		}
		ev.Kind, ev.By = Close, parts[2]
	case ClientToDaemon, DaemonToClient:
		ev.Kind, ev.Dir = Unit, parts[1]
		p, err := expand(parts[2:])
		if err != nil {
			return ev, err
		}
		ev.Payload = p
	case "UDP":
		if len(parts) != 6 || (parts[2] != MonitorToDaemon && parts[2] != DaemonToMonitor) {
			return ev, fmt.Errorf("bad UDP line %q (want: LABEL UDP M>D|D>M SRC DST HEX)", line)
		}
		p, err := expand(parts[5:])
		if err != nil {
			return ev, err
		}
		ev.Kind, ev.Dir, ev.Src, ev.Dst, ev.Payload = Datagram, parts[2], parts[3], parts[4], p
	default:
		return ev, fmt.Errorf("bad line %q", line)
	}
	return ev, nil
}

// expand turns payload tokens into bytes: plain hex, HH*N (a byte repeated)
// and PAT*N (the byte i mod 256 at position i).
func expand(tokens []string) ([]byte, error) {
	var out []byte
	for _, t := range tokens {
		what, count, rep := strings.Cut(t, "*")
		if !rep {
			b, err := hex.DecodeString(t)
			if err != nil {
				return nil, fmt.Errorf("bad hex token %q: %w", t, err)
			}
			out = append(out, b...)
			continue
		}
		n, err := strconv.Atoi(count)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("bad repeat count in %q", t)
		}
		if what == "PAT" {
			for i := 0; i < n; i++ {
				out = append(out, byte(i))
			}
			continue
		}
		b, err := hex.DecodeString(what)
		if err != nil || len(b) != 1 {
			return nil, fmt.Errorf("bad repeated byte in %q", t)
		}
		for i := 0; i < n; i++ {
			out = append(out, b[0])
		}
	}
	return out, nil
}

// Units returns the units of one connection in one direction, in order.
func (f *File) Units(conn, dir string) [][]byte {
	var out [][]byte
	for _, ev := range f.Events {
		if ev.Kind == Unit && ev.Conn == conn && ev.Dir == dir {
			out = append(out, ev.Payload)
		}
	}
	return out
}

// Datagrams returns the UDP datagrams in file order.
func (f *File) Datagrams() []Event {
	var out []Event
	for _, ev := range f.Events {
		if ev.Kind == Datagram {
			out = append(out, ev)
		}
	}
	return out
}

// Conns returns the TCP connection labels in order of first appearance
// (datagram labels are not connections).
func (f *File) Conns() []string {
	seen := map[string]bool{}
	var out []string
	for _, ev := range f.Events {
		if ev.Kind != Datagram && !seen[ev.Conn] {
			seen[ev.Conn] = true
			out = append(out, ev.Conn)
		}
	}
	return out
}

// Dir returns the path of testdata/captures seen from a package directory
// two levels below the module root (internal/x, pkg/x).
func Dir() string { return filepath.Join("..", "..", "testdata", "captures") }

// All reads every transcript in dir, sorted by name.
func All(dir string) ([]*File, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "[0-9][0-9]_*.txt"))
	if err != nil {
		return nil, err
	}
	var out []*File
	for _, p := range paths {
		f, err := Read(p)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}
