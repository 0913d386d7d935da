package report

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spgo/spgo/pkg/flood"
	"github.com/spgo/spgo/pkg/spread"
)

// The banner counts the sessions the engine will run: one receiver on
// each daemon listed at least, and a read-only run's remote senders.
func TestParamsOfCountsPlacedSessions(t *testing.T) {
	p := ParamsOf(flood.Config{Services: []spread.ServiceType{spread.AgreedMess}, Count: 300, Receivers: 1,
		SenderDaemons: []string{"d1"}, ReceiverDaemons: []string{"d2", "d3"}}, "", nil)
	if p.Senders != 1 || p.Receivers != 2 || p.Count != 300 || p.Window != flood.DefaultWindow || strings.Join(p.Services, " ") != "AGREED" {
		t.Errorf("placed: %+v", p)
	}
	p = ParamsOf(flood.Config{Mode: flood.ModeReadOnly, RemoteSenders: 3, Services: []spread.ServiceType{spread.FIFOMess}}, "", nil)
	if p.Senders != 3 || p.Receivers != 1 || p.Count != flood.DefaultCount {
		t.Errorf("read-only: %+v", p)
	}
	p = ParamsOf(flood.Config{}, flood.SweepSize, []int{100, 1000})
	if p.SweepDim != flood.SweepSize || len(p.SweepValues) != 2 || len(p.Services) != 6 {
		t.Errorf("sweep: %+v", p)
	}
}

// SaveCSV writes what CSV writes, to a file.
func TestSaveCSV(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.csv")
	if err := SaveCSV(path, points()); err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := CSV(&want, points()); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(got, want.Bytes()) {
		t.Errorf("file %q (%v), want %q", got, err, want.String())
	}
	if err := SaveCSV(filepath.Join(t.TempDir(), "no", "such", "dir.csv"), points()); err == nil {
		t.Error("no error for a file in a missing directory")
	}
}

// The progress bar names the service type and its count, and a new
// service type gets a bar of its own.
func TestProgressDraws(t *testing.T) {
	var w bytes.Buffer
	p := NewProgress(&w)
	p.Update(flood.Progress{Service: "FIFO", Index: 0, Delivered: 10, Expected: 100})
	p.Update(flood.Progress{Service: "SAFE", Index: 1, Delivered: 5, Expected: 50})
	p.Finish()
	for _, want := range []string{"FIFO", "10/100", "SAFE", "5/50"} {
		if !strings.Contains(w.String(), want) {
			t.Errorf("progress output lacks %q: %q", want, w.String())
		}
	}
}

// With several service types each floods its own group, and the banner
// names those groups, not the base name no session joins.
func TestBannerNamesTheGroupsFlooded(t *testing.T) {
	var b bytes.Buffer
	Banner(&b, ParamsOf(flood.Config{Services: []spread.ServiceType{spread.AgreedMess, spread.FIFOMess}}, "", nil), HostEnv("x", "external", "tcp"))
	if out := b.String(); !strings.Contains(out, `; groups "flooder-agreed", "flooder-fifo"`+"\n") {
		t.Errorf("several types:\n%s", out)
	}
	b.Reset()
	Banner(&b, ParamsOf(flood.Config{Group: "g", Services: []spread.ServiceType{spread.FIFOMess}}, "", nil), HostEnv("x", "external", "tcp"))
	if out := b.String(); !strings.Contains(out, `services: FIFO; group "g"`+"\n") {
		t.Errorf("one type:\n%s", out)
	}
}

// A warning names its run's receivers in English: "1 receiver".
func TestWarningsCountReceivers(t *testing.T) {
	pts := points()
	pts[0].Receivers = 1
	var w bytes.Buffer
	Warnings(&w, pts)
	if want := "warning: FIFO (size 1000, 1 receiver): FIFO lost 1 messages\n"; w.String() != want {
		t.Errorf("warnings %q, want %q", w.String(), want)
	}
}

// A run an agent's failure stopped says so under the table, instead of
// the note for an interrupt, and a receivers' agent's SENT is "-".
func TestTableSaysWhatStoppedTheRun(t *testing.T) {
	pts := points()
	pts[0].Results.Services[0].Partial, pts[0].Results.Services[0].Stopped = true, "agent #a#d1 (h) was lost mid-run"
	var b bytes.Buffer
	Table(&b, pts, "")
	out := b.String()
	if !strings.Contains(out, "stopped: agent #a#d1 (h) was lost mid-run; the figures are partial (up to then)") ||
		strings.Contains(out, "interrupted") {
		t.Errorf("table:\n%s", out)
	}
	b.Reset()
	AgentTable(&b, []flood.AgentResult{{Name: "#r#d2", Receivers: 1, Services: []flood.AgentPart{{Service: "FIFO", Delivered: 7}}}})
	if row := strings.Split(b.String(), "\n")[4]; !strings.Contains(row, "#r#d2") || !strings.Contains(row, " - ") {
		t.Errorf("receivers' agent row %q", row)
	}
}
