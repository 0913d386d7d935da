package spreadmon_test

import (
	"errors"
	"fmt"
	"math"
	"net/netip"
	"testing"
	"time"

	"github.com/spgo/spgo/pkg/spreadmon"
)

func target(name, addr string) spreadmon.Target {
	return spreadmon.Target{Name: name, Addr: netip.MustParseAddrPort(addr)}
}

func answered(t spreadmon.Target, s spreadmon.Status) spreadmon.Result {
	return spreadmon.Result{Target: t, Status: &s, Known: 30}
}

func silent(t spreadmon.Target) spreadmon.Result {
	return spreadmon.Result{Target: t, Err: fmt.Errorf("%w within 1s", spreadmon.ErrNoAnswer)}
}

// describe is the problems as reason and text, to compare in one go.
func describe(ps []spreadmon.Problem) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Reason.String()+": "+p.Error())
	}
	return out
}

func equal(a, b []string) bool { return fmt.Sprintf("%q", a) == fmt.Sprintf("%q", b) }

var (
	d1 = target("d1", "127.0.0.1:4803")
	d2 = target("d2", "127.0.0.2:4803")
	d3 = target("127.0.0.3:4803", "127.0.0.3:4803")
)

func TestCheckAllWell(t *testing.T) {
	res := []spreadmon.Result{answered(d1, spreadmon.Status{NumProcs: 2, Sec: 10, Retrans: 10}), answered(d2, spreadmon.Status{NumProcs: 2})}
	if ps := spreadmon.Check(res, nil, spreadmon.Checks{ExpectDaemons: 2, LimitRetrans: true, MaxRetransRate: 1}); ps != nil {
		t.Errorf("problems %q", describe(ps))
	}
	if ps := spreadmon.Check(nil, nil, spreadmon.Checks{ExpectDaemons: 2}); ps != nil {
		t.Errorf("no results: %q", describe(ps))
	}
}

// TestCheckOrder: daemons that did not answer come first, then the
// checks in target order, membership before retransmissions.
func TestCheckOrder(t *testing.T) {
	res := []spreadmon.Result{
		answered(d1, spreadmon.Status{NumProcs: 1, Sec: 10, Retrans: 100}),
		silent(d2),
		{Target: d3}, // no Status, no Err: a Result made by hand
	}
	ps := spreadmon.Check(res, nil, spreadmon.Checks{ExpectDaemons: 3, LimitRetrans: true, MaxRetransRate: 5})
	want := []string{
		"no answer: d2 (127.0.0.2:4803) did not answer: no answer within 1s",
		"no answer: 127.0.0.3:4803 did not answer: no answer",
		"membership size: d1 (127.0.0.1:4803) sees 1 daemon in its membership, expected 3",
		"retransmission rate: d1 (127.0.0.1:4803) retransmits 10.0 packets/s since start, more than 5",
	}
	if got := describe(ps); !equal(got, want) {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
	for _, p := range ps[:2] {
		if !errors.Is(p, spreadmon.ErrNoAnswer) {
			t.Errorf("%v does not wrap ErrNoAnswer", p)
		}
	}
	if p := ps[2]; p.Seen != 1 || p.Expected != 3 || p.Target != d1 {
		t.Errorf("membership problem %+v", p)
	}
	if p := ps[3]; p.Rate != 10 || p.Span != spreadmon.SinceStart || p.Limit != 5 || errors.Is(p, spreadmon.ErrNoAnswer) {
		t.Errorf("retransmission problem %+v", p)
	}
}

func TestCheckMembership(t *testing.T) {
	res := []spreadmon.Result{answered(d1, spreadmon.Status{NumProcs: 3}), answered(d2, spreadmon.Status{NumProcs: 4})}
	ps := spreadmon.Check(res, nil, spreadmon.Checks{ExpectDaemons: 3})
	if want := []string{"membership size: d2 (127.0.0.2:4803) sees 4 daemons in its membership, expected 3"}; !equal(describe(ps), want) {
		t.Errorf("got %q", describe(ps))
	}
	if ps := spreadmon.Check(res, nil, spreadmon.Checks{}); ps != nil {
		t.Errorf("ExpectDaemons 0 checked: %q", describe(ps))
	}
}

func TestCheckRetransRate(t *testing.T) {
	busy := spreadmon.Status{Sec: 10, Retrans: 50} // 5/s since start
	cases := []struct {
		name  string
		st    spreadmon.Status
		rates []*spreadmon.Rates
		c     spreadmon.Checks
		want  []string
	}{
		{"over the limit since start", busy, nil, spreadmon.Checks{LimitRetrans: true, MaxRetransRate: 4},
			[]string{"retransmission rate: d1 (127.0.0.1:4803) retransmits 5.0 packets/s since start, more than 4"}},
		{"at the limit passes", busy, nil, spreadmon.Checks{LimitRetrans: true, MaxRetransRate: 5}, nil},
		{"check off", busy, nil, spreadmon.Checks{MaxRetransRate: 0}, nil},
		{"just started: no rate", spreadmon.Status{Retrans: 50}, nil, spreadmon.Checks{LimitRetrans: true}, nil},
		{"the interval's rate, not since start", busy, []*spreadmon.Rates{{Retrans: 0.5}}, spreadmon.Checks{LimitRetrans: true, MaxRetransRate: 1}, nil},
		{"over the limit over the interval", spreadmon.Status{}, []*spreadmon.Rates{{Retrans: 2.25}}, spreadmon.Checks{LimitRetrans: true, MaxRetransRate: 0},
			[]string{"retransmission rate: d1 (127.0.0.1:4803) retransmits 2.2 packets/s over the interval, more than 0"}},
		{"no rate for this daemon: since start", busy, []*spreadmon.Rates{nil}, spreadmon.Checks{LimitRetrans: true, MaxRetransRate: 4},
			[]string{"retransmission rate: d1 (127.0.0.1:4803) retransmits 5.0 packets/s since start, more than 4"}},
		{"NaN fails nothing", busy, nil, spreadmon.Checks{LimitRetrans: true, MaxRetransRate: math.NaN()}, nil},
	}
	for _, c := range cases {
		ps := spreadmon.Check([]spreadmon.Result{answered(d1, c.st)}, c.rates, c.c)
		if got := describe(ps); !equal(got, c.want) {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}

func TestChecksValidate(t *testing.T) {
	for _, c := range []spreadmon.Checks{{}, {ExpectDaemons: 128}, {LimitRetrans: true}, {LimitRetrans: true, MaxRetransRate: math.Inf(1)},
		{MaxRetransRate: -1}} {
		if err := c.Validate(); err != nil {
			t.Errorf("%+v: %v", c, err)
		}
	}
	cases := []struct {
		c     spreadmon.Checks
		field string
		msg   string
	}{
		{spreadmon.Checks{ExpectDaemons: -1}, "ExpectDaemons", "spreadmon: Checks.ExpectDaemons -1: allowed 0 (no check) or 1..128"},
		{spreadmon.Checks{ExpectDaemons: 129, LimitRetrans: true, MaxRetransRate: -1}, "ExpectDaemons", "spreadmon: Checks.ExpectDaemons 129: allowed 0 (no check) or 1..128"},
		{spreadmon.Checks{LimitRetrans: true, MaxRetransRate: -0.5}, "MaxRetransRate", "spreadmon: Checks.MaxRetransRate -0.5: must be 0 or more"},
		{spreadmon.Checks{LimitRetrans: true, MaxRetransRate: math.NaN()}, "MaxRetransRate", "spreadmon: Checks.MaxRetransRate NaN: must be 0 or more"},
	}
	for _, c := range cases {
		err := c.c.Validate()
		var ce *spreadmon.CheckError
		if !errors.As(err, &ce) || ce.Field != c.field || err.Error() != c.msg {
			t.Errorf("%+v: %v, want %q", c.c, err, c.msg)
		}
	}
}

func TestReasonAndSpanNames(t *testing.T) {
	got := []string{spreadmon.NoAnswer.String(), spreadmon.MembershipSize.String(), spreadmon.RetransRate.String(), spreadmon.Reason(9).String(),
		spreadmon.SinceStart.String(), spreadmon.OverInterval.String()}
	want := []string{"no answer", "membership size", "retransmission rate", "reason 9", "since start", "over the interval"}
	if !equal(got, want) {
		t.Errorf("got %q", got)
	}
}

func TestRatesBetween(t *testing.T) {
	prev := []spreadmon.Result{
		answered(d1, spreadmon.Status{Sec: 10, PacketSent: 100, PacketRecv: 200, PacketDelivered: 300, Retrans: 4, TokenRounds: 1000}),
		answered(d2, spreadmon.Status{Sec: 10, PacketSent: math.MaxInt32 - 1}),
		answered(d3, spreadmon.Status{Sec: 100}),
		silent(d1),
	}
	cur := []spreadmon.Result{
		answered(d1, spreadmon.Status{Sec: 12, PacketSent: 300, PacketRecv: 201, PacketDelivered: 500, Retrans: 5, TokenRounds: 1100}),
		answered(d2, spreadmon.Status{Sec: 12, PacketSent: math.MinInt32 + 1}), // wrapped: 3 more
		answered(d3, spreadmon.Status{Sec: 1}),                                 // restarted
		answered(d1, spreadmon.Status{Sec: 12}),                                // did not answer before
		answered(d2, spreadmon.Status{Sec: 12}),                                // not in prev
	}
	rs := spreadmon.RatesBetween(prev, cur, 2*time.Second)
	if len(rs) != len(cur) {
		t.Fatalf("%d rates for %d results", len(rs), len(cur))
	}
	if r := rs[0]; r == nil || *r != (spreadmon.Rates{Sent: 100, Recv: 0.5, Delivered: 100, Retrans: 0.5, TokenRounds: 50}) {
		t.Errorf("d1: %+v", r)
	}
	if r := rs[1]; r == nil || r.Sent != 1.5 {
		t.Errorf("wrapped counter: %+v", r)
	}
	for i := 2; i < len(rs); i++ {
		if rs[i] != nil {
			t.Errorf("rate %d: %+v, want none", i, rs[i])
		}
	}
	for _, rs := range [][]*spreadmon.Rates{spreadmon.RatesBetween(nil, cur, time.Second), spreadmon.RatesBetween(prev, cur, 0)} {
		for i, r := range rs {
			if r != nil || len(rs) != len(cur) {
				t.Errorf("without a previous poll, rate %d: %+v", i, r)
			}
		}
	}
}
