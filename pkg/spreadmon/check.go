package spreadmon

import (
	"fmt"

	"github.com/spgo/spgo/internal/english"
	"github.com/spgo/spgo/pkg/spreadconf"
)

// Checks are the rules Check applies to a poll beyond "every daemon
// answered". The zero value applies none of them.
type Checks struct {
	// ExpectDaemons, when more than 0, is how many daemons every daemon
	// must see in its membership (Status.NumProcs): a partitioned or
	// shrunken ring fails it. At most spreadconf.MaxDaemons.
	ExpectDaemons int
	// LimitRetrans turns on the retransmission check: no daemon may
	// retransmit more than MaxRetransRate packets per second, over the
	// interval between two polls or, from one poll, since it started.
	LimitRetrans bool
	// MaxRetransRate is the limit of the retransmission check, 0 or more.
	MaxRetransRate float64
}

// CheckError is a Checks field with a value Check cannot use.
type CheckError struct {
	Field string // "ExpectDaemons" or "MaxRetransRate"
	Value string // as given
	Rule  string // what is allowed
}

// Error is "spreadmon: Checks.FIELD VALUE: RULE".
func (e *CheckError) Error() string {
	return fmt.Sprintf("spreadmon: Checks.%s %s: %s", e.Field, e.Value, e.Rule)
}

// Validate reports the first field out of range as a *CheckError.
func (c Checks) Validate() error {
	if c.ExpectDaemons < 0 || c.ExpectDaemons > spreadconf.MaxDaemons {
		return &CheckError{Field: "ExpectDaemons", Value: fmt.Sprint(c.ExpectDaemons),
			Rule: fmt.Sprintf("allowed 0 (no check) or 1..%d", spreadconf.MaxDaemons)}
	}
	if c.LimitRetrans && !(c.MaxRetransRate >= 0) { // NaN too
		return &CheckError{Field: "MaxRetransRate", Value: fmt.Sprint(c.MaxRetransRate), Rule: "must be 0 or more"}
	}
	return nil
}

// Reason is why a daemon failed a check.
type Reason int

// The reasons, in the order Check lists them for one daemon.
const (
	// NoAnswer: the daemon did not answer the poll; Problem.Err says why.
	NoAnswer Reason = iota + 1
	// MembershipSize: the daemon sees Problem.Seen daemons in its
	// membership, not Checks.ExpectDaemons.
	MembershipSize
	// RetransRate: the daemon retransmits Problem.Rate packets per second
	// over Problem.Span, more than Checks.MaxRetransRate.
	RetransRate
)

// String names the reason: "no answer", "membership size",
// "retransmission rate".
func (r Reason) String() string {
	switch r {
	case NoAnswer:
		return "no answer"
	case MembershipSize:
		return "membership size"
	case RetransRate:
		return "retransmission rate"
	}
	return fmt.Sprintf("reason %d", int(r))
}

// Span is the time a daemon's retransmission rate was taken over.
type Span int

const (
	// SinceStart: the daemon's counter over its uptime (one poll).
	SinceStart Span = iota
	// OverInterval: the counter's change between two polls (Rates).
	OverInterval
)

// String is "since start" or "over the interval".
func (s Span) String() string {
	if s == OverInterval {
		return "over the interval"
	}
	return "since start"
}

// Problem is one failed check of one daemon. It is an error whose text
// names the daemon and what was wrong.
type Problem struct {
	Target Target
	Reason Reason
	// Err is why the daemon did not answer (NoAnswer).
	Err error
	// Seen and Expected are the membership sizes (MembershipSize).
	Seen, Expected int
	// Rate, Span and Limit are the retransmissions per second, the time
	// they were taken over, and Checks.MaxRetransRate (RetransRate).
	Rate  float64
	Span  Span
	Limit float64
}

// Error names the daemon and what was wrong with it.
func (p Problem) Error() string {
	switch p.Reason {
	case NoAnswer:
		return fmt.Sprintf("%s did not answer: %v", p.Target.Label(), p.Err)
	case MembershipSize:
		return fmt.Sprintf("%s sees %d %s in its membership, expected %d",
			p.Target.Label(), p.Seen, english.Plural(p.Seen, "daemon", "daemons"), p.Expected)
	case RetransRate:
		return fmt.Sprintf("%s retransmits %.1f packets/s %s, more than %g", p.Target.Label(), p.Rate, p.Span, p.Limit)
	}
	return fmt.Sprintf("%s: %s", p.Target.Label(), p.Reason)
}

// Unwrap gives the reason a daemon did not answer to errors.Is (it wraps
// ErrNoAnswer when the time ran out).
func (p Problem) Unwrap() error { return p.Err }

// Check applies c to a poll: res is Poller.Poll's results, rates their
// RatesBetween the poll before (nil for a single poll: the retransmission
// rate is then taken since each daemon started). It lists every daemon
// that did not answer, in target order, then every failed check, in target
// order (a daemon's membership before its retransmissions); nil when all
// is well. Check does not validate c (see Validate): an ExpectDaemons
// below 1 is no check, a NaN limit fails no daemon.
func Check(res []Result, rates []*Rates, c Checks) []Problem {
	var out []Problem
	for _, r := range res {
		if r.Status == nil {
			err := r.Err
			if err == nil {
				err = ErrNoAnswer
			}
			out = append(out, Problem{Target: r.Target, Reason: NoAnswer, Err: err})
		}
	}
	for i, r := range res {
		s := r.Status
		if s == nil {
			continue
		}
		if c.ExpectDaemons > 0 && int(s.NumProcs) != c.ExpectDaemons {
			out = append(out, Problem{Target: r.Target, Reason: MembershipSize, Seen: int(s.NumProcs), Expected: c.ExpectDaemons})
		}
		if c.LimitRetrans {
			var rt *Rates
			if i < len(rates) {
				rt = rates[i]
			}
			if rate, span := retransRate(s, rt); rate > c.MaxRetransRate {
				out = append(out, Problem{Target: r.Target, Reason: RetransRate, Rate: rate, Span: span, Limit: c.MaxRetransRate})
			}
		}
	}
	return out
}

// retransRate is over the interval when there are rates, else since start.
func retransRate(s *Status, r *Rates) (float64, Span) {
	if r != nil {
		return r.Retrans, OverInterval
	}
	if s.Sec <= 0 {
		return 0, SinceStart
	}
	return float64(s.Retrans) / float64(s.Sec), SinceStart
}
