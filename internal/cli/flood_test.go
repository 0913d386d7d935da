package cli

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/spgo/spgo/internal/cli/iostreams"
	"github.com/spgo/spgo/pkg/daemon/spreadtest"
)

// parseFlood runs `spgo flood args...` up to flag parsing and returns the
// options (or the exit code of the error).
func parseFlood(t *testing.T, args ...string) (*FloodOptions, int) {
	t.Helper()
	ios, _, _, _ := iostreams.Test()
	f := &Factory{IOStreams: ios, Getenv: func(string) string { return "" }}
	var got *FloodOptions
	cmd := NewCmdFlood(f, func(_ context.Context, o *FloodOptions) error { got = o; return nil })
	cmd.SetArgs(args)
	cmd.SetOut(ios.Out)
	cmd.SetErr(ios.ErrOut)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &flagParseError{Err: err} })
	err := cmd.Execute()
	return got, ExitCode(err)
}

func TestFloodSpflooderFlags(t *testing.T) {
	o, code := parseFlood(t, "-s", "4803@h", "-m", "500", "-b", "64", "-n", "3", "--ro", "-u", "flooder")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	if o.Conn.Server != "4803@h" || o.Count != 500 || o.Size != 64 || o.Members != 3 || !o.ReadOnly || o.Conn.User != "flooder" {
		t.Errorf("parsed %+v", o)
	}
	svc, err := o.services()
	if err != nil || len(svc) != 1 || svc[0].String() != "FIFO_MESS" {
		t.Errorf("read-only with -n defaults to FIFO like spflooder: %v %v", svc, err)
	}
	o, _ = parseFlood(t, "--wo")
	if svc, _ := o.services(); !o.WriteOnly || len(svc) != 1 || svc[0].String() != "RELIABLE_MESS" {
		t.Errorf("write-only defaults to RELIABLE like spflooder: %v", svc)
	}
	o, _ = parseFlood(t, "--services", "agreed,SAFE", "--duration", "2s")
	if svc, _ := o.services(); len(svc) != 2 || o.Count != 0 || o.Duration.Seconds() != 2 {
		t.Errorf("services %v count %d duration %s", svc, o.Count, o.Duration)
	}
}

func TestFloodUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--size", "8"},
		{"-b", "100001"},
		{"--services", "ordered"},
		{"--plot", "x.svg"},
		{"--sweep", "size", "--plot", "x.jpg"},
		{"--sweep", "colour"},
		{"--ro", "--services", "agreed,safe"},
		{"--ro", "--wo"},
		{"--embedded", "-s", "4803"},
		{"--window", "0"},
		{"--transport", "udp"},
		{"-m", "5", "--duration", "1s"},
		{"extra-arg"},
	} {
		if _, code := parseFlood(t, args...); code != ExitUsage {
			t.Errorf("%q: exit %d, want %d", args, code, ExitUsage)
		}
	}
}

// floodOut runs `spgo flood args...` with test streams, against a fresh
// embedded test daemon unless the args name one (-s or --embedded).
func floodOut(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	f := &Factory{IOStreams: ios, Getenv: func(string) string { return "" }}
	if !slices.Contains(args, "--embedded") && !slices.Contains(args, "-s") {
		args = append(args, "-s", spreadtest.Run(t).SpreadName())
	}
	cmd := NewCmdFlood(f, nil)
	cmd.SetArgs(append([]string{"-m", "2000", "-b", "200"}, args...))
	cmd.SetOut(ios.Out)
	cmd.SetErr(ios.ErrOut)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err := cmd.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}

// floodDoc is the tests' view of spgo flood -o json: the fields they read,
// by their JSON names, so that a renamed field fails a test.
type floodDoc struct {
	Env struct {
		GoVersion string `json:"go_version"`
		CPUs      int    `json:"cpus"`
		Placement string `json:"placement"`
	} `json:"env"`
	Points []struct {
		Results struct {
			Size        int                `json:"size"`
			RTTEvery    int                `json:"rtt_every"`
			SendersAt   []string           `json:"senders_at"`
			ReceiversAt []string           `json:"receivers_at"`
			Services    []floodServiceView `json:"services"`
		} `json:"results"`
	} `json:"points"`
}

type floodServiceView struct {
	Service    string            `json:"service"`
	Sent       int64             `json:"sent"`
	Delivered  int64             `json:"delivered"`
	Elapsed    int64             `json:"elapsed_ns"`
	MsgRate    float64           `json:"msgs_per_sec"`
	Lost       int64             `json:"lost"`
	Latency    floodLatencyView  `json:"latency"`
	RTT        *floodLatencyView `json:"rtt"`
	Disagree   int               `json:"total_order_disagree"`
	Verdict    string            `json:"verdict"`
	Partial    bool              `json:"partial"`
	Violations []string          `json:"violations"`
	LongestGap int64             `json:"longest_gap_ns"`
	Faults     []struct {
		Kind    string   `json:"kind"`
		After   int64    `json:"after_ns"`
		Members []string `json:"members"`
		Role    string   `json:"role"`
	} `json:"faults"`
	ByDaemon []struct {
		Daemon    string            `json:"daemon"`
		Receivers int               `json:"receivers"`
		Delivered int64             `json:"delivered"`
		RTT       *floodLatencyView `json:"rtt"`
	} `json:"by_daemon"`
	Clients []struct {
		Name     string `json:"name"`
		Role     string `json:"role"`
		Daemon   string `json:"daemon"`
		Departed bool   `json:"departed"`
	} `json:"clients"`
}

type floodLatencyView struct {
	Count int64 `json:"count"`
	P50   int64 `json:"p50_ns"`
	P99   int64 `json:"p99_ns"`
	Max   int64 `json:"max_ns"`
}

// floodJSON decodes spgo flood's -o json output, failing the test when it
// is not JSON.
func floodJSON(t *testing.T, out string) floodDoc {
	t.Helper()
	var doc floodDoc
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	return doc
}

// The README's demo: --embedded prints a banner and one row per service.
func TestFloodEmbeddedTable(t *testing.T) {
	for _, tr := range []string{"tcp", "unix"} {
		out, errOut, err := floodOut(t, "--embedded", "--transport", tr)
		if err != nil {
			t.Fatalf("%s: %v (stderr %q)", tr, err, errOut)
		}
		if errOut != "" {
			t.Errorf("%s: stderr not empty when piped: %q", tr, errOut)
		}
		for _, want := range []string{"spgo flood: 2000 messages of 200 bytes", "embedded spgo daemon, " + tr, "CPUs", "MSG/S", "P99.9",
			"UNRELIABLE", "RELIABLE", "FIFO", "CAUSAL", "AGREED", "SAFE"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s: output lacks %q:\n%s", tr, want, out)
			}
		}
		if n := strings.Count(out, "│ ok    │"); n != 6 {
			t.Errorf("%s: %d rows say ok, want 6:\n%s", tr, n, out)
		}
	}
}

// -o json parses; its numbers agree with the count and elapsed time. The
// CSV has a header and one line per service type.
func TestFloodJSONAndCSV(t *testing.T) {
	csvPath := filepath.Join(t.TempDir(), "r.csv")
	out, _, err := floodOut(t, "-o", "json", "--receivers", "2", "--services", "fifo,agreed", "--csv", csvPath)
	if err != nil {
		t.Fatal(err)
	}
	doc := floodJSON(t, out)
	if doc.Env.GoVersion == "" || doc.Env.CPUs < 1 || len(doc.Points) != 1 {
		t.Fatalf("env/points: %+v", doc)
	}
	svcs := doc.Points[0].Results.Services
	if len(svcs) != 2 || svcs[0].Service != "FIFO" || svcs[1].Service != "AGREED" {
		t.Fatalf("services %+v", svcs)
	}
	for _, s := range svcs {
		rate := float64(s.Delivered) / 2 / (float64(s.Elapsed) / 1e9)
		if s.Sent != 2000 || s.Delivered != 4000 || s.Lost != 0 || s.Latency.Count != 4000 ||
			s.Latency.P50 <= 0 || s.Latency.P50 > s.Latency.Max || s.MsgRate < rate*0.999 || s.MsgRate > rate*1.001 {
			t.Errorf("inconsistent: %+v (rate from count/elapsed %.0f)", s, rate)
		}
	}
	f, err := os.Open(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil || len(recs) != 3 || recs[0][0] != "service" || recs[1][0] != "FIFO" || recs[2][7] != "4000" {
		t.Errorf("csv %q %v", recs, err)
	}
}

// --sweep with --plot writes a plot, and the table has the swept column.
func TestFloodSweepPlot(t *testing.T) {
	plotPath := filepath.Join(t.TempDir(), "s.svg")
	out, _, err := floodOut(t, "--services", "reliable,safe", "-m", "300", "--sweep", "receivers=1,2", "--plot", plotPath)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "RECEIVERS") || strings.Count(out, "SAFE") != 3 { // banner + 2 rows
		t.Errorf("table:\n%s", out)
	}
	// The banner describes the sweep, not the single-run default.
	if !strings.Contains(out, "-> each of 1, 2 receivers,") || strings.Contains(out, "receiver(s)") ||
		!strings.Contains(out, "sweep receivers=1,2 (one run per value)") {
		t.Errorf("banner does not describe the receivers sweep:\n%s", out)
	}
	b, err := os.ReadFile(plotPath)
	if err != nil || !strings.Contains(string(b), "<svg") {
		t.Errorf("plot: %v", err)
	}
}

// A daemon that is not there: exit 3 like every other command.
func TestFloodNoDaemon(t *testing.T) {
	out, _, err := floodOut(t, "-s", "1@127.0.0.1", "--services", "agreed")
	if code := ExitCode(err); code != ExitConnect {
		t.Fatalf("exit %d (%v), want %d", code, err, ExitConnect)
	}
	if strings.Contains(out, "SERVICE") {
		t.Errorf("an empty results table was printed:\n%s", out)
	}
	if msg := err.Error(); strings.Count(msg, "1@127.0.0.1") != 1 || !strings.Contains(msg, "Could not connect") {
		t.Errorf("error should name the daemon once and say Spread's reason: %s", msg)
	}
	var fe *FlagError
	if errors.As(err, &fe) {
		t.Fatal("a connect failure is no usage error")
	}
}

// spflooder's single-dash -ro and -wo reach the flood command as --ro and
// --wo; other commands' arguments and anything after -- are left alone.
func TestSpflooderArgs(t *testing.T) {
	cases := []struct{ in, want []string }{
		{[]string{"flood", "-ro", "-m", "5"}, []string{"flood", "--ro", "-m", "5"}},
		{[]string{"flood", "-wo"}, []string{"flood", "--wo"}},
		{[]string{"send", "g", "-m", "-ro"}, []string{"send", "g", "-m", "-ro"}},
		{[]string{"flood", "--", "-ro"}, []string{"flood", "--", "-ro"}},
	}
	for _, c := range cases {
		if got := spflooderArgs(c.in); strings.Join(got, " ") != strings.Join(c.want, " ") {
			t.Errorf("spflooderArgs(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	o, code := parseFlood(t, spflooderArgs([]string{"flood", "-ro", "-n", "2"})[1:]...)
	if code != 0 || !o.ReadOnly {
		t.Fatalf("-ro: read-only=%v code=%d", o.ReadOnly, code)
	}
}

// Values the engine refuses are usage errors (exit 2) found before the
// banner is printed or a daemon is started, naming the flag.
func TestFloodEngineRefusalsAreUsageErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--embedded", "--receivers", "100000"}, "flood: --receivers 100000 is not allowed; at most 1000"},
		{[]string{"--embedded", "--duration", "-1s"}, ""}, // floodOut's -m refuses it first
		{[]string{"--embedded", "--group", "abcdefghijklmnopqrstuvwxyz"}, `flood: --group "abcdefghijklmnopqrstuvwxyz" is not allowed; at most 20 bytes`},
		{[]string{"--embedded", "--rate", "NaN"}, "flood: --rate NaN is not allowed"},
		{[]string{"--embedded", "--rate", "+Inf"}, "flood: --rate +Inf is not allowed"},
		{[]string{"--embedded", "--rate", "1e-300"}, "flood: --rate 1e-300 is not allowed"},
		{[]string{"--embedded", "--rate", "-1"}, "flood: --rate -1 is not allowed"},
		{[]string{"--embedded", "--size", "8"}, "flood: --size 8 is not allowed; 16..100000 bytes"},
		{[]string{"--embedded", "-m", "-1"}, "flood: --count -1 is not allowed; at least 1"},
		{[]string{"--embedded", "-u", "longname12", "--receivers", "3"}, `flood: --user "longname12" is not allowed; at most 9 bytes`},
	} {
		out, _, err := floodOut(t, c.args...)
		if code := ExitCode(err); code != ExitUsage {
			t.Errorf("%q: exit %d (%v), want %d", c.args, code, err, ExitUsage)
		}
		if c.want != "" && (err == nil || !strings.HasPrefix(err.Error(), c.want)) {
			t.Errorf("%q: error %v, want %q", c.args, err, c.want)
		}
		if strings.Contains(out, "spgo flood:") {
			t.Errorf("%q: banner printed before the refusal", c.args)
		}
	}
}

// cancelOnWrite cancels a context at the first write: the progress bar's
// first drawing, which comes only once the flood is under way.
type cancelOnWrite struct {
	cancel context.CancelFunc
	buf    strings.Builder
}

func (w *cancelOnWrite) Write(p []byte) (int, error) {
	w.cancel()
	return w.buf.Write(p)
}

// floodInterrupted runs a flood far too long to finish and cancels its
// context (as SIGINT does) once the progress bar first draws.
func floodInterrupted(t *testing.T, args ...string) (out, errOut string, err error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ios, _, stdout, _ := iostreams.Test()
	ew := &cancelOnWrite{cancel: cancel}
	ios.ErrOut = ew
	f := &Factory{IOStreams: ios, Getenv: func(string) string { return "" }}
	cmd := NewCmdFlood(f, nil)
	cmd.SetArgs(append([]string{"-m", "1000000000", "-b", "100", "--progress", "always",
		"-s", spreadtest.Run(t).SpreadName()}, args...))
	cmd.SetOut(ios.Out)
	cmd.SetErr(ios.ErrOut)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err = cmd.ExecuteContext(ctx)
	return stdout.String(), ew.buf.String(), err
}

// An interrupted flood says so and exits 130: its row is "interrupted",
// its figures are marked partial, and nothing in flight counts as lost or
// as a broken promise.
func TestFloodInterruptedText(t *testing.T) {
	out, errOut, err := floodInterrupted(t, "--services", "agreed,safe", "--receivers", "2")
	if code := ExitCode(err); code != ExitInterrupted {
		t.Fatalf("exit %d (%v), want %d", code, err, ExitInterrupted)
	}
	if !strings.Contains(err.Error(), "interrupted") {
		t.Errorf("error %q should say the flood was interrupted", err)
	}
	for _, bad := range []string{"BROKEN", "promises delivery", "disturbed", "warning:"} {
		if strings.Contains(out, bad) || strings.Contains(errOut, bad) {
			t.Errorf("an interrupt claims %q:\n%s\n%s", bad, out, errOut)
		}
	}
	if !regexp.MustCompile(`│ +0 │ +0 │ +0 │ interrupted │`).MatchString(out) {
		t.Errorf("want nothing lost, duplicated or reordered:\n%s", out)
	}
	if !strings.Contains(out, "│ interrupted │") || !strings.Contains(out, "figures are partial") {
		t.Errorf("want the AGREED row interrupted and the figures marked partial:\n%s", out)
	}
	if strings.Contains(out, "SAFE ") && strings.Count(out, "SAFE") > 1 {
		t.Errorf("SAFE ran after the interrupt:\n%s", out)
	}
}

// The same in JSON: verdict "interrupted", partial true, lost 0, empty
// violations.
func TestFloodInterruptedJSON(t *testing.T) {
	out, _, err := floodInterrupted(t, "--services", "fifo", "-o", "json")
	if code := ExitCode(err); code != ExitInterrupted {
		t.Fatalf("exit %d (%v), want %d", code, err, ExitInterrupted)
	}
	doc := floodJSON(t, out)
	if len(doc.Points) != 1 || len(doc.Points[0].Results.Services) != 1 {
		t.Fatalf("want one point with one service:\n%s", out)
	}
	s := doc.Points[0].Results.Services[0]
	if s.Verdict != "interrupted" || !s.Partial || s.Lost != 0 || s.Sent == 0 || s.Violations == nil || len(s.Violations) != 0 {
		t.Errorf("got %+v, want verdict interrupted, partial, nothing lost, empty violations", s)
	}
}

// Output files that cannot be written are refused before the flood starts
// (exit 2, one line, no banner), not after the whole run.
func TestFloodOutputPathsCheckedFirst(t *testing.T) {
	dir := t.TempDir()
	notDir := filepath.Join(dir, "file")
	if err := os.WriteFile(notDir, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--csv", filepath.Join(dir, "missing", "r.csv")}, "--csv " + filepath.Join(dir, "missing", "r.csv") + ": directory " + filepath.Join(dir, "missing") + " does not exist"},
		{[]string{"--csv", dir}, "--csv " + dir + " is a directory: name a file"},
		{[]string{"--sweep", "size=100", "--plot", filepath.Join(notDir, "p.svg")}, "--plot " + filepath.Join(notDir, "p.svg") + ": "},
		{[]string{"--cpuprofile", filepath.Join(dir, "no", "cpu.out")}, "does not exist"},
	} {
		out, _, err := floodOut(t, append([]string{"--embedded"}, c.args...)...)
		if code := ExitCode(err); code != ExitUsage {
			t.Errorf("%q: exit %d (%v), want %d", c.args, code, err, ExitUsage)
			continue
		}
		if !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: error %q, want one line with %q", c.args, err, c.want)
		}
		if out != "" {
			t.Errorf("%q: the flood started before the refusal:\n%s", c.args, out)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("the check left files behind: %v", entries)
	}
}
