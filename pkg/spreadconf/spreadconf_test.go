package spreadconf

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"
)

func noLookup(name string) (netip.Addr, error) {
	if name == "edge" {
		return netip.MustParseAddr("10.0.0.1"), nil
	}
	return netip.Addr{}, errors.New("no such host")
}

const ring3 = `# a ring of three
EventLogFile = /tmp/spread.log
DebugFlags = { PRINT EXIT !DEBUG }
DangerousMonitor = false
EventTimeStamp
EventPreciseTimeStamp
Spread_Segment 127.0.0.255:4803 {
	d1 127.0.0.1
	d2 127.0.0.2 {
		D 127.0.0.2
		C M 127.0.0.2
	}
}
Spread_Segment 10.0.0.255 {
	edge   # resolved by name
}
RouteMatrix { 0 1 1 0 }
`

func TestParse(t *testing.T) {
	c, err := Parse("ring3.conf", strings.NewReader(ring3), noLookup)
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(c.Daemons)
	want := "[{d1 127.0.0.1 4803 0 8} {d2 127.0.0.2 4803 0 9} {edge 10.0.0.1 4803 1 15}]"
	if len(c.Segments) != 2 || c.Segments[1].Port != 4803 || c.Segments[0].Addr.String() != "127.0.0.255" {
		t.Errorf("segments %+v", c.Segments)
	}
	if got != want {
		t.Errorf("daemons\n got %s\nwant %s", got, want)
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct{ conf, want string }{
		{"", "c.conf:1: no Spread_Segment with a daemon in it"},
		{"Spread_Segment 127.0.0.255 {\n d1 127.0.0.1\n", "c.conf:3: expected '}' to close Spread_Segment 127.0.0.255 (line 1), got end of file"},
		{"Spread_Segment {\n}", `c.conf:1: expected the segment's address A.B.C.D[:PORT] after Spread_Segment, got '{'`},
		{"Spread_Segment 127.0.0.255:4803 {\n d1 127.0.0.1\n d1 127.0.0.2\n}", `c.conf:3: daemon name "d1" already used on line 2`},
		{"Spread_Segment 127.0.0.255:4803 {\n d1 127.0.0.1\n d2 127.0.0.1\n}", "c.conf:3: daemon d2 has address 127.0.0.1, like d1 on line 2"},
		{"Spread_Segment 127.0.0.255:4803 {\n nosuchhost\n}", "c.conf:2: daemon nosuchhost has no address and its name does not resolve: no such host"},
		{"Spread_Segment 127.0.0.255:4803 {\n averyveryverylongname20 127.0.0.1\n}", `c.conf:2: daemon name "averyveryverylongname20" is 23 bytes: allowed 1..19`},
		{"Spread_Segment 127.0.0.256:4803 {\n d1 127.0.0.1\n}", `c.conf:1: Spread_Segment: invalid IPv4 address "127.0.0.256"`},
		{"Window 160\n", `c.conf:1: expected '=' after Window, got "160"`},
		{"Spread_Segment 127.0.0.255 {\n d1 127.0.0.1 { X 127.0.0.1 }\n}", `c.conf:2: expected an interface (M, C or D, then A.B.C.D) or '}' for daemon d1, got "X"`},
		{"}", "c.conf:1: expected Spread_Segment or NAME = VALUE, got '}'"},
	}
	for _, c := range cases {
		_, err := Parse("c.conf", strings.NewReader(c.conf), noLookup)
		var se *SyntaxError
		if !errors.As(err, &se) || err.Error() != c.want {
			t.Errorf("%q:\n got %v\nwant %s", c.conf, err, c.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add(ring3)
	f.Add("Spread_Segment 1.2.3.4:5 { a 1.2.3.4 { D 1.2.3.4 } }")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := Parse("f", strings.NewReader(s), noLookup)
		if err == nil && len(c.Daemons) == 0 {
			t.Fatal("no daemons, no error")
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Fatalf("multi-line error %q", err)
		}
	})
}
