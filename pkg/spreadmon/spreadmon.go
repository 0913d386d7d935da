// Package spreadmon asks Spread daemons for their status with the status
// query of Spread's monitor protocol (UDP, docs/protocol.md §17), as
// spmonitor does, and decodes their answers. It sends nothing else: no
// partition, flow-control, kill or reload command.
//
// A real 4.4 daemon answers only when the address the monitor claims
// (Poller's identity) is a daemon of its spread.conf, and sends the reply
// to that address: the identity must be an address of this host that the
// daemons' configuration lists.
package spreadmon

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/spgo/spgo/internal/monwire"
)

// DefaultPort is Spread's default daemon port.
const DefaultPort = 4803

// Status is a daemon's status record; its fields are named as in Spread's
// status.h.
type Status = monwire.Status

// FieldNames are the status record's field names, in order.
func FieldNames() []string { return monwire.FieldNames() }

// StateName and GStateName name the membership and groups states.
func StateName(s int32) string  { return monwire.StateName(s) }
func GStateName(s int32) string { return monwire.GStateName(s) }

// AddrString formats a daemon id (my_id, leader_id) as an IPv4 address.
func AddrString(id int32) string { return monwire.IPv4(uint32(id)) }

// Target is one daemon to ask.
type Target struct {
	Name string         // as the configuration names it, or the address
	Addr netip.AddrPort // its IPv4 address and port
}

// Result is one daemon's answer to one poll.
type Result struct {
	Target
	// Status is nil when the daemon did not answer (Err says why).
	Status *Status
	Err    error
	// Known is how many of the record's 30 fields the answer held;
	// Problems says what was unusual (a record of another size).
	Known     int
	Problems  []string
	BigEndian bool
	RTT       time.Duration
}

// ErrNoAnswer is wrapped by Result.Err for a daemon that did not answer
// within the timeout.
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
// free port, which queries name as the reply port.
func NewPoller(identity netip.Addr, targets []Target) (*Poller, error) {
	if !identity.Is4() {
		return nil, fmt.Errorf("identity %s: the monitor protocol carries IPv4 addresses only", identity)
	}
	c, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(identity, 0)))
	if err != nil {
		return nil, fmt.Errorf("identity %s is not an address of this host: %w", identity, err)
	}
	b := identity.As4()
	q := monwire.Query{ProcID: binary.BigEndian.Uint32(b[:]), ReplyPort: uint16(c.LocalAddr().(*net.UDPAddr).Port)}
	return &Poller{conn: c, identity: identity, targets: targets, buf: make([]byte, 2048),
		query: monwire.AppendQuery(nil, q, binary.LittleEndian)}, nil
}

// Identity is the address the queries claim; LocalAddr the socket's.
func (p *Poller) Identity() netip.Addr { return p.identity }
func (p *Poller) LocalAddr() net.Addr  { return p.conn.LocalAddr() }

// Close closes the socket.
func (p *Poller) Close() error { return p.conn.Close() }

// Poll sends one query to every target and waits up to timeout for the
// answers. Results are in target order.
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
	stop := context.AfterFunc(ctx, func() { p.conn.SetReadDeadline(time.Now()) })
	defer stop()
	// Collect first and match after: an answer that came from its
	// target's own address must not be taken by the address match of
	// another target on the same host.
	type answer struct {
		from netip.AddrPort
		r    monwire.Reply
		n    int
		rtt  time.Duration
	}
	var answers []answer
	for want := p.pending(res); len(answers) < want && ctx.Err() == nil; {
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
	take := func(i int, a answer) {
		st := a.r.Status
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
	for i := range res {
		if res[i].Status == nil && res[i].Err == nil {
			res[i].Err = fmt.Errorf("%w within %v", ErrNoAnswer, timeout)
		}
	}
	return res
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

// LocalAddrFor returns the address of this host that reaches target: the
// default identity when no configuration names one.
func LocalAddrFor(target netip.AddrPort) (netip.Addr, error) {
	c, err := net.DialUDP("udp4", nil, net.UDPAddrFromAddrPort(target))
	if err != nil {
		return netip.Addr{}, err
	}
	defer c.Close()
	a := c.LocalAddr().(*net.UDPAddr).AddrPort().Addr().Unmap()
	return a, nil
}

// IsLocal reports whether a is an address of this host.
func IsLocal(a netip.Addr) bool {
	c, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(a, 0)))
	if err != nil {
		return false
	}
	c.Close()
	return true
}
