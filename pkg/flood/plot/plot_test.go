package plot

import (
	"bytes"
	"encoding/xml"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spgo/spgo/pkg/flood"
)

// points makes a synthetic size sweep of the given services.
func points(services ...string) []flood.Point {
	var pts []flood.Point
	for i, size := range []int{100, 1000, 10000} {
		r := &flood.Results{Size: size, Receivers: 1}
		for j, s := range services {
			r.Services = append(r.Services, flood.ServiceResult{Service: s,
				MsgRate: float64(1e6 / (i + 1) / (j + 1)), MBRate: float64(size) / float64(j+1),
				Latency: flood.Latency{P50: time.Duration(100*(i+1)) * time.Microsecond, P99: time.Duration(900*(i+1)) * time.Microsecond}})
		}
		pts = append(pts, flood.Point{Size: size, Receivers: 1, Results: r})
	}
	return pts
}

var six = []string{"UNRELIABLE", "RELIABLE", "FIFO", "CAUSAL", "AGREED", "SAFE"}

// The SVG is well-formed XML and every service type is a legend entry of
// each of the four panels.
func TestSVGHasOneSeriesPerService(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sweep.svg")
	if err := Save(path, points(six...), flood.SweepSize); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(bytes.NewReader(b))
	texts := map[string]int{}
	root := ""
	inText := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not valid XML: %v", err)
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = tk.Name.Local
			}
			inText = tk.Name.Local == "text"
		case xml.CharData:
			if inText {
				texts[strings.TrimSpace(string(tk))]++
			}
		case xml.EndElement:
			inText = false
		}
	}
	if root != "svg" {
		t.Fatalf("root element %q, want svg", root)
	}
	for _, s := range six {
		if texts[s] != 4 {
			t.Errorf("%s appears %d times as text, want 4 (one legend entry per panel)", s, texts[s])
		}
	}
}

func TestPNGDecodes(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, "png", points("AGREED", "SAFE"), flood.SweepReceivers); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() < 800 || b.Dy() < 600 {
		t.Errorf("image %v is too small to read", b)
	}
}

func TestBadInput(t *testing.T) {
	if err := Save(filepath.Join(t.TempDir(), "x.jpg"), points("SAFE"), flood.SweepSize); err == nil || !strings.Contains(err.Error(), ".svg or .png") {
		t.Errorf("jpg: %v", err)
	}
	if err := Write(io.Discard, "svg", nil, flood.SweepSize); err == nil {
		t.Error("no points accepted")
	}
}

// Runs that delivered nothing (no latencies, no rate) still plot: the
// log-scale panels are empty, not a panic.
func TestWriteWithoutLatencies(t *testing.T) {
	pts := points("AGREED")
	for _, p := range pts {
		p.Results.Services[0].Latency, p.Results.Services[0].MsgRate = flood.Latency{}, 0
	}
	var b bytes.Buffer
	if err := Write(&b, "svg", pts, flood.SweepSize); err != nil || !strings.Contains(b.String(), "<svg") {
		t.Errorf("Write: %v, %d bytes", err, b.Len())
	}
}
