package spreadconf_test

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/spgo/spgo/pkg/spreadconf"
)

// Parse a configuration of two segments; a daemon named without an
// address is looked up with the resolver given.
func ExampleParse() {
	conf := `
Spread_Segment 127.0.0.255:4803 {
	d1 127.0.0.1
	d2 127.0.0.2
}
Spread_Segment 10.0.0.255 {
	edge
}
`
	resolve := func(name string) (netip.Addr, error) {
		if name == "edge" {
			return netip.MustParseAddr("10.0.0.7"), nil
		}
		return netip.Addr{}, errors.New("unknown host")
	}
	cfg, err := spreadconf.Parse("spread.conf", strings.NewReader(conf), resolve)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, d := range cfg.Daemons {
		fmt.Printf("%s %s:%d (segment %d, line %d)\n", d.Name, d.Addr, d.Port, d.Segment, d.Line)
	}
	// Output:
	// d1 127.0.0.1:4803 (segment 0, line 3)
	// d2 127.0.0.2:4803 (segment 0, line 4)
	// edge 10.0.0.7:4803 (segment 1, line 7)
}

// A configuration that cannot be read is a *SyntaxError naming the line.
func ExampleSyntaxError() {
	_, err := spreadconf.Parse("bad.conf", strings.NewReader("Spread_Segment 127.0.0.255 {\n\t= \n}\n"), nil)
	var se *spreadconf.SyntaxError
	if errors.As(err, &se) {
		fmt.Println("line", se.Line, "-", se.Msg)
	}
	// Output:
	// line 2 - expected a daemon name or '}' in Spread_Segment 127.0.0.255, got '='
}
