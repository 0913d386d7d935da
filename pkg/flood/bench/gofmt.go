package bench

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/perf/benchfmt"
)

// ErrNoResults is returned by ReadGo for input without one benchmark line.
var ErrNoResults = errors.New("no benchmark results")

// WriteGo writes the configuration lines, one unit line per unit saying
// which way is better (benchstat reads it), and one benchmark line per
// measurement: "BenchmarkFlood/service=agreed/... 1 912345 msgs/s ...".
// Each run is one iteration of its own, so the iteration count is 1.
func WriteGo(w io.Writer, config []ConfigLine, ms []Measurement) error {
	bw := benchfmt.NewWriter(w)
	var cfg []benchfmt.Config
	for _, c := range config {
		cfg = append(cfg, benchfmt.Config{Key: c.Key, Value: []byte(c.Value), File: true})
	}
	for _, u := range usedUnits(ms) {
		better := "lower"
		if HigherIsBetter(u) {
			better = "higher"
		}
		meta := &benchfmt.UnitMetadata{UnitMetadataKey: benchfmt.UnitMetadataKey{Unit: u, Key: "better"}, OrigUnit: u, Value: better}
		if err := bw.Write(meta); err != nil {
			return err
		}
	}
	for _, m := range ms {
		res := &benchfmt.Result{Config: cfg, Name: benchfmt.Name(m.Key.BenchName()), Iters: 1}
		for _, v := range m.Values {
			res.Values = append(res.Values, benchfmt.Value{Value: v.Value, Unit: v.Unit})
		}
		if err := bw.Write(res); err != nil {
			return err
		}
	}
	return nil
}

// usedUnits are the units ms use, in the order of Units.
func usedUnits(ms []Measurement) []string {
	var out []string
	for _, u := range Units {
		for _, m := range ms {
			if hasUnit(m, u) {
				out = append(out, u)
				break
			}
		}
	}
	return out
}

func hasUnit(m Measurement, unit string) bool {
	for _, v := range m.Values {
		if v.Unit == unit {
			return true
		}
	}
	return false
}

// ReadGo reads Go's benchmark format: spgo's flood lines, and any other
// benchmark named with the same service=/size=/senders=/receivers= keys.
// The configuration is the last seen; name is the input's name for
// errors.
func ReadGo(r io.Reader, name string) (Set, error) {
	br := benchfmt.NewReader(r, name)
	var ms []Measurement
	var cfg []ConfigLine
	for br.Scan() {
		res, ok := br.Result().(*benchfmt.Result)
		if !ok {
			if se, isErr := br.Result().(*benchfmt.SyntaxError); isErr {
				return Set{}, se
			}
			continue
		}
		k, err := parseName(string(res.Name))
		if err != nil {
			file, line := res.Pos()
			return Set{}, fmt.Errorf("%s:%d: %w", file, line, err)
		}
		m := Measurement{Key: k}
		for _, v := range res.Values {
			m.Values = append(m.Values, origValue(v))
		}
		ms = append(ms, m)
		cfg = cfg[:0]
		for _, c := range res.Config {
			cfg = append(cfg, ConfigLine{Key: c.Key, Value: string(c.Value)})
		}
	}
	if err := br.Err(); err != nil {
		return Set{}, err
	}
	if len(ms) == 0 {
		return Set{}, fmt.Errorf("%s: %w", name, ErrNoResults)
	}
	return Set{Config: cfg, Series: Group(ms)}, nil
}

// origValue is v in the unit it was written in (benchfmt tidies "p50-ns"
// to seconds and "MB/s" to B/s).
func origValue(v benchfmt.Value) Value {
	if v.OrigUnit != "" {
		return Value{Unit: v.OrigUnit, Value: v.OrigValue}
	}
	return Value{Unit: v.Unit, Value: v.Value}
}

// parseName reads a point from a benchmark name: "Flood" and its
// key=value parts (a "-N" GOMAXPROCS suffix, added by go test, is
// dropped).
func parseName(name string) (Key, error) {
	base, parts := benchfmt.Name(name).Parts()
	if string(base) != "Flood" {
		return Key{}, fmt.Errorf("benchmark %q is not a flood (want BenchmarkFlood/service=.../size=...)", name)
	}
	var k Key
	for _, p := range parts {
		key, val, _ := strings.Cut(strings.TrimPrefix(string(p), "/"), "=")
		var err error
		switch key {
		case "service":
			k.Service = strings.ToUpper(val)
		case "size":
			_, err = fmt.Sscan(val, &k.Size)
		case "senders":
			_, err = fmt.Sscan(val, &k.Senders)
		case "receivers":
			_, err = fmt.Sscan(val, &k.Receivers)
		}
		if err != nil {
			return Key{}, fmt.Errorf("benchmark %q: %s=%q is not a number", name, key, val)
		}
	}
	if k.Service == "" {
		return Key{}, fmt.Errorf("benchmark %q names no service=", name)
	}
	return k, nil
}
