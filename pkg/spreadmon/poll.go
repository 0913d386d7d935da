package spreadmon

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"time"

	"github.com/spgo/spgo/internal/monwire"
)

// Result is one daemon's answer to one poll.
type Result struct {
	// Target is the daemon asked.
	Target
	// Status is the daemon's status record; nil when it did not answer.
	Status *Status
	// Err says why a daemon did not answer (it wraps ErrNoAnswer when the
	// time ran out); nil with a Status.
	Err error
	// Known is how many of the record's 30 fields the answer held (a
	// shorter record leaves the rest of Status zero).
	Known int
	// Problems says what was unusual about the answer, for the user: a
	// record of another size, a length the header disagrees with.
	Problems []string
	// BigEndian reports the daemon's byte order.
	BigEndian bool
	// RTT is the time from sending the queries to this answer.
	RTT time.Duration
}

// ErrNoAnswer is wrapped by Result.Err for a daemon that did not answer
// within the timeout. The usual reasons: nothing listens on the target's
// UDP port (an embedded spgo daemon answers only while pkg/daemon/statusudp
// serves it: spgo daemon without --no-monitor, statusudp.Serve,
// spreadtest.ServeStatus); a real daemon does not list the Poller's
// identity in its spread.conf; the daemon is not running.
var ErrNoAnswer = errors.New("no answer")

// Poller sends status queries from one UDP socket bound to the identity
// address and reads the answers on it.
type Poller struct {
	conn     *net.UDPConn
	identity netip.Addr
	targets  []Target
	buf      []byte
	query    []byte
}

// NewPoller binds a UDP socket on identity (an address of this host) at a
// free port, which queries name as the reply port. An identity that is not
// IPv4 or not this host's is an *IdentityError.
func NewPoller(identity netip.Addr, targets []Target) (*Poller, error) {
	if !identity.Is4() {
		return nil, &IdentityError{Identity: identity.String(), Reason: "is not IPv4: the monitor protocol carries IPv4 addresses only"}
	}
	c, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(identity, 0)))
	if err != nil {
		return nil, &IdentityError{Identity: identity.String(), Reason: "is not an address of this host", Err: err}
	}
	b := identity.As4()
	q := monwire.Query{ProcID: binary.BigEndian.Uint32(b[:]), ReplyPort: uint16(c.LocalAddr().(*net.UDPAddr).Port)}
	return &Poller{conn: c, identity: identity, targets: slices.Clone(targets), buf: make([]byte, 2048),
		query: monwire.AppendQuery(nil, q, binary.LittleEndian)}, nil
}

// Identity is the address the queries claim.
func (p *Poller) Identity() netip.Addr { return p.identity }

// LocalAddr is the address of the poller's socket, where answers arrive.
func (p *Poller) LocalAddr() net.Addr { return p.conn.LocalAddr() }

// Close closes the socket.
func (p *Poller) Close() error { return p.conn.Close() }

// Poll sends one query to every target and waits up to timeout (or until
// ctx ends) for the answers. Results are in target order; a target that did
// not answer has a nil Status and an Err (wrapping ErrNoAnswer when the
// time ran out).
func (p *Poller) Poll(ctx context.Context, timeout time.Duration) []Result {
	res := make([]Result, len(p.targets))
	for i, t := range p.targets {
		res[i] = Result{Target: t}
	}
	p.drain() // late answers of an earlier poll
	start := time.Now()
	for i, t := range p.targets {
		if _, err := p.conn.WriteToUDPAddrPort(p.query, t.Addr); err != nil {
			res[i].Err = fmt.Errorf("sending the status query: %w", err)
		}
	}
	deadline := start.Add(timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	p.assign(res, p.collect(ctx, start, deadline, p.pending(res)))
	for i := range res {
		if res[i].Status == nil && res[i].Err == nil {
			res[i].Err = fmt.Errorf("%w within %v", ErrNoAnswer, timeout)
		}
	}
	return res
}

// answer is one status reply as it arrived.
type answer struct {
	from netip.AddrPort
	r    monwire.Reply
	n    int
	rtt  time.Duration
}

// collect reads up to want answers until deadline or the end of ctx.
func (p *Poller) collect(ctx context.Context, start, deadline time.Time, want int) []answer {
	stop := context.AfterFunc(ctx, func() { p.conn.SetReadDeadline(time.Now()) })
	defer stop()
	var answers []answer
	for len(answers) < want && ctx.Err() == nil {
		p.conn.SetReadDeadline(deadline)
		n, from, err := p.conn.ReadFromUDPAddrPort(p.buf)
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, net.ErrClosed) {
				break
			}
			continue // ICMP port unreachable from an earlier send, and the like
		}
		r, err := monwire.DecodeReply(p.buf[:n])
		if err != nil {
			continue // not an answer
		}
		answers = append(answers, answer{netip.AddrPortFrom(from.Addr().Unmap(), from.Port()), r, n, time.Since(start)})
	}
	return answers
}

// assign gives each answer to its target. All answers are collected before
// any is matched: an answer that came from its target's own address must
// not be taken by the address match of another target on the same host.
func (p *Poller) assign(res []Result, answers []answer) {
	take := func(i int, a answer) {
		st := Status(a.r.Status)
		res[i].Status, res[i].Err, res[i].RTT = &st, nil, a.rtt
		res[i].Known, res[i].Problems, res[i].BigEndian = a.r.Known, a.r.Problems(a.n), a.r.BigEndian
	}
	var rest []answer
	for _, a := range answers {
		if i := p.match(res, func(r Result) bool { return r.Addr == a.from }); i >= 0 {
			take(i, a)
		} else {
			rest = append(rest, a)
		}
	}
	for _, a := range rest {
		var b [4]byte
		binary.BigEndian.PutUint32(b[:], a.r.Header.ProcID)
		id := netip.AddrFrom4(b)
		if i := p.match(res, func(r Result) bool { return r.Addr.Addr() == id }); i >= 0 {
			take(i, a)
		}
	}
}

func (p *Poller) pending(res []Result) int {
	n := 0
	for _, r := range res {
		if r.Status == nil && r.Err == nil {
			n++
		}
	}
	return n
}

// match returns the first target still waiting for which ok holds, or -1.
// Answers are matched by their source address first (spgo daemon answers
// from its own), then by the daemon address in their header (a real daemon
// answers from an ephemeral port).
func (p *Poller) match(res []Result, ok func(Result) bool) int {
	for i, r := range res {
		if r.Status == nil && r.Err == nil && ok(r) {
			return i
		}
	}
	return -1
}

func (p *Poller) drain() {
	p.conn.SetReadDeadline(time.Now())
	for {
		if _, _, err := p.conn.ReadFromUDPAddrPort(p.buf); err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return
			}
			if errors.Is(err, net.ErrClosed) {
				return
			}
		}
	}
}
