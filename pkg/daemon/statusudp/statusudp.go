// Package statusudp makes a running spgo daemon (or each node of a ring)
// answer the status query of Spread's monitor protocol on UDP at its own
// address and port, so that spmonitor and spgo monitor can watch it
// (docs/protocol.md §17). It answers with the daemon's own figures; every
// other monitor packet (partition, flow control, kill, reload) is ignored
// and logged. Replies are rate-limited, go only to the query's source
// address, and are never larger than 136 bytes: it cannot be used as a
// reflector beyond a bounded trickle.
//
// A daemon started with daemon.Start or daemon.StartRing answers nothing
// on UDP until Serve runs for it: polling it with pkg/spreadmon, the
// asking side, gets spreadmon.ErrNoAnswer. `spgo daemon` serves it unless
// --no-monitor (ServeNodes, every node at its own address);
// spreadtest.ServeStatus serves it in a test. The record it answers
// with is the one spreadmon.Status documents, field for field; the
// daemon side builds it from the wire's own type, so that it needs
// nothing of the asking side.
package statusudp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/spgo/spgo/internal/monwire"
	"github.com/spgo/spgo/pkg/daemon"
)

// Defaults of Options.
const (
	DefaultRate  = 50 // replies per second, all senders together
	DefaultBurst = 20
)

// Options configure a Responder.
type Options struct {
	// Node is the daemon that answers.
	Node *daemon.Daemon
	// Ring returns every node of its ring (nil: Node alone), to report
	// the membership and its leader.
	Ring func() []*daemon.Daemon
	// Rate and Burst bound the replies (defaults DefaultRate, DefaultBurst).
	Rate  float64
	Burst int
	// Logger gets one line per ignored packet (themselves rate-limited).
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Responder answers status queries on one UDP socket.
type Responder struct {
	opts    Options
	conn    *net.UDPConn
	replies *rate.Limiter
	logs    *rate.Limiter
	mu      sync.Mutex
	dropped int // log lines not written since the last one
	done    chan struct{}
}

// Listen opens the UDP socket at addr (HOST:PORT).
func Listen(addr string) (*net.UDPConn, error) {
	ua, err := net.ResolveUDPAddr("udp4", addr)
	if err != nil {
		return nil, fmt.Errorf("monitor UDP address %s: %w", addr, err)
	}
	c, err := net.ListenUDP("udp4", ua)
	if err != nil {
		var op *net.OpError
		if errors.As(err, &op) && op.Err != nil {
			err = op.Err
		}
		return nil, fmt.Errorf("cannot answer monitor queries on UDP %s: %w", addr, err)
	}
	return c, nil
}

// Serve answers on conn in the background until Close.
func Serve(conn *net.UDPConn, opts Options) *Responder {
	if opts.Rate == 0 {
		opts.Rate = DefaultRate
	}
	if opts.Burst == 0 {
		opts.Burst = DefaultBurst
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	r := &Responder{opts: opts, conn: conn, replies: rate.NewLimiter(rate.Limit(opts.Rate), opts.Burst),
		logs: rate.NewLimiter(10, 10), done: make(chan struct{})}
	go r.loop()
	return r
}

// Addr is the socket's address.
func (r *Responder) Addr() net.Addr { return r.conn.LocalAddr() }

// Close stops answering and waits for the loop to end.
func (r *Responder) Close() error {
	err := r.conn.Close()
	<-r.done
	return err
}

func (r *Responder) loop() {
	defer close(r.done)
	buf := make([]byte, 2048)
	out := make([]byte, 0, monwire.ReplySize)
	for {
		n, from, err := r.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue // e.g. ICMP port unreachable of an earlier reply
		}
		to, ignored := Handle(buf[:n], from)
		if ignored != "" {
			r.logIgnored(from, n, ignored)
			continue
		}
		if !r.replies.Allow() {
			r.logIgnored(from, n, "reply rate limit reached")
			continue
		}
		var up bool
		if out, up = r.reply(out[:0]); up { // a crashed or frozen ring node is as silent as a crashed or stopped daemon
			r.conn.WriteToUDPAddrPort(out, to)
		}
	}
}

func (r *Responder) logIgnored(from netip.AddrPort, size int, why string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.logs.Allow() {
		r.dropped++
		return
	}
	args := []any{"from", from.String(), "bytes", size, "reason", why}
	if r.dropped > 0 {
		args = append(args, "not_logged_before", r.dropped)
		r.dropped = 0
	}
	r.opts.Logger.Warn("monitor packet ignored", args...)
}

// Handle decides what to do with one datagram from from: the address to
// send the status reply to, or why the datagram is ignored. A real daemon
// sends its reply to the address the query claims; spgo sends it to the
// query's source address, at the port the query names (spmonitor listens
// there), so nobody can direct replies at a third host.
func Handle(b []byte, from netip.AddrPort) (to netip.AddrPort, ignored string) {
	h, _, err := monwire.DecodeHeader(b)
	if err != nil {
		return to, err.Error()
	}
	if h.Type&monwire.ControlType == 0 {
		return to, fmt.Sprintf("not a monitor packet (type 0x%08x)", h.Type)
	}
	if h.Type&(monwire.ControlType&^monwire.StatusType) != 0 {
		return to, monwire.Kind(h.Type) + " command: spgo daemon obeys no monitor command"
	}
	if p := monwire.QueryProblem(h, len(b), 0); p != "" {
		return to, "status query: " + p
	}
	if h.Seq == 0 || h.Seq > 65535 {
		return to, fmt.Sprintf("status query: reply port %d is not 1..65535", h.Seq)
	}
	return netip.AddrPortFrom(from.Addr(), uint16(h.Seq)), ""
}

// reply appends the status reply of the node; up is false (and nothing
// appended) while the node is down.
func (r *Responder) reply(dst []byte) (_ []byte, up bool) {
	st := figures(r.opts.Node, r.ring(), r.opts.Now())
	if st.State == 0 {
		return dst, false
	}
	h := monwire.Header{Type: monwire.StatusType, ProcID: uint32(st.MyID), DataLen: monwire.StatusSize}
	dst = monwire.AppendHeader(dst, &h, binary.LittleEndian)
	return monwire.AppendStatus(dst, &st, binary.LittleEndian), true
}

func (r *Responder) ring() []*daemon.Daemon {
	if r.opts.Ring == nil {
		return []*daemon.Daemon{r.opts.Node}
	}
	return r.opts.Ring()
}
