package plot_test

import (
	"bytes"
	"fmt"
	"log"
	"strings"

	"github.com/spgo/spgo/pkg/flood"
	"github.com/spgo/spgo/pkg/flood/plot"
)

// Plot a size sweep (here two points made by hand; flood.Sweep gives
// them) as SVG: rate and latency against the message size, one line per
// service type.
func ExampleWrite() {
	var points []flood.Point
	for i, size := range []int{100, 1000} {
		r := &flood.Results{Size: size, Receivers: 1, Services: []flood.ServiceResult{
			{Service: "AGREED", MsgRate: float64(90000 - 30000*i), MBRate: float64(size) / 100},
		}}
		points = append(points, flood.Point{Size: size, Receivers: 1, Results: r})
	}
	var svg bytes.Buffer
	if err := plot.Write(&svg, "svg", points, flood.SweepSize); err != nil {
		log.Fatal(err)
	}
	fmt.Println(strings.Contains(svg.String(), "<svg"), strings.Contains(svg.String(), "AGREED"))
	fmt.Println(plot.Write(&svg, "gif", points, flood.SweepSize))
	// Output:
	// true true
	// plot: format "gif": want svg or png
}
