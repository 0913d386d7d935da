// Package plot draws flood sweeps: throughput against message size (or
// receiver count) per service type, and latency, so a reader can choose a
// service type at a glance.
package plot

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/spgo/spgo/pkg/flood"
)

// Colours per service type, weakest (light) to strongest (dark), fixed so
// plots from different runs compare.
var colours = map[string]color.RGBA{
	"UNRELIABLE": {0x9e, 0x9e, 0x9e, 0xff},
	"RELIABLE":   {0x1f, 0x77, 0xb4, 0xff},
	"FIFO":       {0x2c, 0xa0, 0x2c, 0xff},
	"CAUSAL":     {0xff, 0x7f, 0x0e, 0xff},
	"AGREED":     {0xd6, 0x27, 0x28, 0xff},
	"SAFE":       {0x94, 0x67, 0xbd, 0xff},
}

// Save writes the plots for points (swept along dim) to path; the format
// follows the extension, .svg or .png.
func Save(path string, points []flood.Point, dim string) error {
	ext := strings.ToLower(filepath.Ext(path))
	if ext != ".svg" && ext != ".png" {
		return fmt.Errorf("plot: file %q must end in .svg or .png", path)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := Write(f, ext[1:], points, dim); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Write draws the plots as "svg" or "png" to w.
func Write(w io.Writer, format string, points []flood.Point, dim string) error {
	if len(points) == 0 {
		return fmt.Errorf("plot: no results to plot")
	}
	plots, err := build(points, dim)
	if err != nil {
		return err
	}
	width, height := 32*vg.Centimeter, 24*vg.Centimeter
	var c draw.Canvas
	var out io.WriterTo
	switch format {
	case "svg":
		sc := vgsvg.New(width, height)
		c, out = draw.New(sc), sc
	case "png":
		ic := vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(110))
		c, out = draw.New(ic), vgimg.PngCanvas{Canvas: ic}
	default:
		return fmt.Errorf("plot: format %q: want svg or png", format)
	}
	tiles := draw.Tiles{Rows: 2, Cols: 2, PadX: vg.Centimeter, PadY: vg.Centimeter,
		PadTop: vg.Centimeter / 2, PadBottom: vg.Centimeter / 2, PadLeft: vg.Centimeter / 2, PadRight: vg.Centimeter / 2}
	canvases := plot.Align(plots, tiles, c)
	for i := range plots {
		for j := range plots[i] {
			plots[i][j].Draw(canvases[i][j])
		}
	}
	_, err = out.WriteTo(w)
	return err
}

// series collects one service type's values along the sweep.
type series struct {
	name          string
	msgs, mb, p99 plotter.XYs
	p50           plotter.XYs
}

func build(points []flood.Point, dim string) ([][]*plot.Plot, error) {
	var order []string
	byName := map[string]*series{}
	xLabel := "message size (bytes)"
	if dim == flood.SweepReceivers {
		xLabel = "receivers"
	}
	for _, p := range points {
		x := float64(p.Size)
		if dim == flood.SweepReceivers {
			x = float64(p.Receivers)
		}
		for _, s := range p.Results.Services {
			se := byName[s.Service]
			if se == nil {
				se = &series{name: s.Service}
				byName[s.Service] = se
				order = append(order, s.Service)
			}
			se.msgs = append(se.msgs, plotter.XY{X: x, Y: s.MsgRate / 1000})
			se.mb = append(se.mb, plotter.XY{X: x, Y: s.MBRate})
			se.p50 = append(se.p50, plotter.XY{X: x, Y: us(s.Latency.P50)})
			se.p99 = append(se.p99, plotter.XY{X: x, Y: us(s.Latency.P99)})
		}
	}
	logX := dim == flood.SweepSize
	mk := func(title, y string, logY bool) *plot.Plot {
		p := plot.New()
		p.Title.Text = title
		p.X.Label.Text = xLabel
		p.Y.Label.Text = y
		if logX {
			p.X.Scale, p.X.Tick.Marker = plot.LogScale{}, logTicks{}
		} else {
			p.X.Tick.Marker = integerTicks{}
		}
		if logY {
			p.Y.Scale, p.Y.Tick.Marker = plot.LogScale{}, logTicks{}
		} else {
			p.Y.Tick.Marker = plainTicks{}
		}
		p.Add(plotter.NewGrid())
		p.Legend.Top = true
		return p
	}
	msgs := mk("Throughput: messages per receiver", "thousand messages/s (log)", true)
	mb := mk("Throughput: payload bytes per receiver", "MB/s", false)
	p99 := mk("Latency p99 (one-way)", "µs (log)", true)
	p50 := mk("Latency p50 (one-way)", "µs (log)", true)
	// Latency rises to the right: keep the legend out of the way.
	p50.Legend.Left, p99.Legend.Left = true, true
	for _, name := range order {
		se := byName[name]
		for _, pl := range []struct {
			p   *plot.Plot
			xys plotter.XYs
		}{{msgs, se.msgs}, {mb, se.mb}, {p99, se.p99}, {p50, se.p50}} {
			if err := addLine(pl.p, name, pl.xys); err != nil {
				return nil, err
			}
		}
	}
	for _, p := range []*plot.Plot{msgs, mb, p50, p99} {
		headroom(p)
	}
	return [][]*plot.Plot{{msgs, mb}, {p50, p99}}, nil
}

func addLine(p *plot.Plot, name string, xys plotter.XYs) error {
	clean := make(plotter.XYs, 0, len(xys))
	for _, v := range xys { // log scales cannot show 0
		if v.X > 0 && v.Y > 0 && !math.IsInf(v.Y, 0) {
			clean = append(clean, v)
		}
	}
	if len(clean) == 0 {
		return nil
	}
	l, pts, err := plotter.NewLinePoints(clean)
	if err != nil {
		return err
	}
	c, ok := colours[name]
	if !ok {
		c = color.RGBA{0, 0, 0, 0xff}
	}
	l.Color, l.Width = c, vg.Points(1.5)
	pts.Color, pts.Shape = c, draw.CircleGlyph{}
	p.Add(l, pts)
	p.Legend.Add(name, l, pts)
	return nil
}

func us(d time.Duration) float64 { return float64(d) / 1e3 }

// integerTicks marks whole numbers only (receiver counts).
type integerTicks struct{}

func (integerTicks) Ticks(lo, hi float64) []plot.Tick {
	var t []plot.Tick
	step := math.Max(1, math.Ceil((hi-lo)/8))
	for v := math.Ceil(lo); v <= hi; v += step {
		t = append(t, plot.Tick{Value: v, Label: fmt.Sprint(int(v))})
	}
	return t
}

// headroom raises the y range so the legend (top) sits above the lines.
func headroom(p *plot.Plot) {
	drawableLog(&p.X)
	drawableLog(&p.Y)
	if _, ok := p.Y.Scale.(plot.LogScale); ok {
		p.Y.Max *= 4
		return
	}
	p.Y.Min = 0
	p.Y.Max *= 1.45
}

// drawableLog gives a log axis without a value above 0 (the latencies of
// runs that delivered nothing) a range it can draw: the panel is empty
// rather than a panic in gonum.
func drawableLog(a *plot.Axis) {
	if _, ok := a.Scale.(plot.LogScale); ok && (a.Min <= 0 || a.Min > a.Max) { // no data: Min +Inf, Max -Inf
		a.Min, a.Max = 1, 10
	}
}

// plainTicks are gonum's default ticks labelled without trailing zeros.
type plainTicks struct{}

func (plainTicks) Ticks(lo, hi float64) []plot.Tick {
	t := plot.DefaultTicks{}.Ticks(lo, hi)
	for i := range t {
		if t[i].Label != "" {
			t[i].Label = strconv.FormatFloat(t[i].Value, 'f', -1, 64)
		}
	}
	return t
}

// logTicks labels 1-2-5 (or, over a narrow range, 1-2-3-5) multiples of
// powers of ten, so a log axis spanning less than a decade still has
// readable labels; gonum's LogTicks labels powers of ten only.
type logTicks struct{}

func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	if lo <= 0 || hi <= lo {
		return plot.LogTicks{Prec: -1}.Ticks(math.Max(lo, 1e-9), math.Max(hi, 1))
	}
	decades := math.Log10(hi / lo)
	mant := []float64{1}
	switch {
	case decades < 1.5:
		mant = []float64{1, 2, 3, 5}
	case decades < 4:
		mant = []float64{1, 2, 5}
	}
	var t []plot.Tick
	for e := math.Floor(math.Log10(lo)); e <= math.Ceil(math.Log10(hi)); e++ {
		p := math.Pow(10, e)
		for m := 1.0; m < 10; m++ {
			v := m * p
			if v < lo || v > hi {
				continue
			}
			label := ""
			for _, k := range mant {
				if k == m {
					label = strconv.FormatFloat(v, 'f', -1, 64)
				}
			}
			t = append(t, plot.Tick{Value: v, Label: label})
		}
	}
	return t
}
