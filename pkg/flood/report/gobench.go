package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"

	"github.com/spgo/spgo/pkg/flood"
	"github.com/spgo/spgo/pkg/flood/bench"
)

// GoConfig is the configuration lines of Go's benchmark format for a
// flood in env: the machine (as go test writes it: goos, goarch, cpu),
// spgo's version, the daemon flooded and how, and the settings a
// benchmark's name does not carry. Results that differ in a line were not
// run alike; compare names the lines that differ.
func GoConfig(env Env, points []flood.Point) []bench.ConfigLine {
	lines := []bench.ConfigLine{
		{Key: "goos", Value: env.OS}, {Key: "goarch", Value: env.Arch}, {Key: "cpu", Value: env.CPU},
		{Key: "gomaxprocs", Value: strconv.Itoa(env.GOMAXPROCS)},
		{Key: "spgo-version", Value: env.SpgoVersion},
		{Key: "daemon", Value: daemonIdentity(env)}, {Key: "transport", Value: env.Transport},
	}
	if env.Placement != "" {
		lines = append(lines, bench.ConfigLine{Key: "placement", Value: env.Placement})
	}
	if len(points) == 0 {
		return lines
	}
	r := points[0].Results
	add := func(key, value string) { lines = append(lines, bench.ConfigLine{Key: key, Value: value}) }
	if r.Duration > 0 {
		add("duration", r.Duration.String())
	} else {
		add("count", strconv.Itoa(r.Count))
	}
	add("window", strconv.Itoa(r.Window))
	if r.Rate > 0 {
		add("rate", strconv.FormatFloat(r.Rate, 'f', -1, 64))
	}
	if r.RTTEvery > 0 {
		add("rtt-every", strconv.Itoa(r.RTTEvery))
	}
	if r.ReadBatch > 0 {
		add("read-batch", strconv.Itoa(r.ReadBatch))
	}
	return lines
}

// daemonIdentity is the daemon as the configuration names it: the kind
// of an in-process daemon or ring (whose port changes from run to run),
// or an external daemon's kind and name, so that runs against two
// daemons differ in this line.
func daemonIdentity(env Env) string {
	if env.DaemonKind == "external" {
		return env.DaemonKind + " " + env.Daemon
	}
	return env.DaemonKind
}

// GoBench writes the points in Go's benchmark format: GoConfig's lines,
// then one benchmark line per run of each point and service type.
func GoBench(w io.Writer, env Env, points []flood.Point) error {
	return bench.WriteGo(w, GoConfig(env, points), bench.Measurements(points))
}

// CPUName is the processor's model name as go test's "cpu:" line gives it
// (from /proc/cpuinfo on Linux), else the number of CPUs.
func CPUName() string {
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				return strings.TrimSpace(v)
			}
		}
	}
	return fmt.Sprintf("%d CPUs (%s)", runtime.NumCPU(), runtime.GOARCH)
}

// ReadSet reads a file that spgo flood wrote with -o json or -o gobench
// (or any Go benchmark output of BenchmarkFlood): the runs of each point
// and the configuration they ran in. name is the input's name for errors.
func ReadSet(r io.Reader, name string) (bench.Set, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return bench.Set{}, err
	}
	if trimmed := bytes.TrimSpace(data); len(trimmed) > 0 && trimmed[0] == '{' {
		return readJSONSet(trimmed, name)
	}
	return bench.ReadGo(bytes.NewReader(data), name)
}

// readJSONSet reads -o json output: one Document (the runs of a flood).
func readJSONSet(data []byte, name string) (bench.Set, error) {
	var doc Document
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		return bench.Set{}, fmt.Errorf("%s: not spgo flood -o json output: %w", name, err)
	}
	ms := bench.Measurements(doc.Points)
	if len(ms) == 0 {
		return bench.Set{}, fmt.Errorf("%s: %w", name, bench.ErrNoResults)
	}
	return bench.Set{Config: GoConfig(doc.Env, doc.Points), Series: bench.Group(ms)}, nil
}
