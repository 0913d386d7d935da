package flood

import (
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Latency histograms cover 100ns..100s with 3 significant digits.
const (
	histMin = 100
	histMax = int64(100 * time.Second)
)

func newHistogram() *hdrhistogram.Histogram { return hdrhistogram.New(histMin, histMax, 3) }

// Latency summarises latencies: one-way (send timestamp to delivery), or
// round trips.
type Latency struct {
	Count int64         `json:"count"`
	Mean  time.Duration `json:"mean_ns"`
	P50   time.Duration `json:"p50_ns"`
	P90   time.Duration `json:"p90_ns"`
	P99   time.Duration `json:"p99_ns"`
	P999  time.Duration `json:"p999_ns"`
	Max   time.Duration `json:"max_ns"`
}

func summarise(h *hdrhistogram.Histogram) Latency {
	if h.TotalCount() == 0 {
		return Latency{}
	}
	return Latency{
		Count: h.TotalCount(),
		Mean:  time.Duration(h.Mean()),
		P50:   time.Duration(h.ValueAtQuantile(50)),
		P90:   time.Duration(h.ValueAtQuantile(90)),
		P99:   time.Duration(h.ValueAtQuantile(99)),
		P999:  time.Duration(h.ValueAtQuantile(99.9)),
		Max:   time.Duration(h.Max()),
	}
}

// Role is what a client did in a flood.
type Role string

// The roles of Client.Role and FaultEvent.Role.
const (
	RoleSender   Role = "sender"
	RoleReceiver Role = "receiver"
	// RoleSenderEchoes is a write-only sender's own session, counting the
	// echoes of the flood's messages in place of a receiver.
	RoleSenderEchoes Role = "sender-echoes"
)

// Client is one client's sample.
type Client struct {
	Name     string        `json:"name"`
	Role     Role          `json:"role"`
	Daemon   string        `json:"daemon"` // the daemon it connected to, as dialled
	Messages int64         `json:"messages"`
	Bytes    int64         `json:"bytes"`
	Elapsed  time.Duration `json:"elapsed_ns"`
	MsgRate  float64       `json:"msgs_per_sec"`
	Check    *Check        `json:"check,omitempty"`
	Latency  *Latency      `json:"latency,omitempty"`
	// RTT is the round trips this sender timed, or that this receiver
	// echoed to the local senders (Config.RTTEvery).
	RTT *Latency `json:"rtt,omitempty"`
	// LongestGap is the longest time between two deliveries (receivers).
	LongestGap time.Duration `json:"longest_gap_ns,omitempty"`
	// Departed is true for a session lost to a fault (its daemon crashed
	// or was cut off); it is not judged with the survivors.
	Departed bool `json:"departed,omitempty"`
	// Side is the side of a partitioned ring the session ended on, from 1
	// (ServiceResult.Sides[Side-1]); 0 when the ring did not split with
	// senders on more than one side.
	Side int `json:"side,omitempty"`
	// Agent is the agent that ran it, in a flood across hosts.
	Agent string `json:"agent,omitempty"`
	Error string `json:"error,omitempty"`
}

// ServiceResult is the outcome of one service type's flood.
type ServiceResult struct {
	// readBatch is the read batch its receivers applied (Results.ReadBatch).
	readBatch int

	Service string `json:"service"`
	Group   string `json:"group"`
	// Sent is the number of messages all local senders sent (for a
	// read-only run: the number expected from remote senders).
	Sent int64 `json:"sent"`
	// Delivered counts deliveries at all receivers (Sent × receivers when
	// nothing is lost).
	Delivered int64 `json:"delivered"`
	// Elapsed runs from the start signal to the last delivery.
	Elapsed time.Duration `json:"elapsed_ns"`
	// MsgRate and MBRate are per receiver: messages (and 10^6 bytes of
	// payload) each receiver got per second, averaged over receivers —
	// the figure spflooder and cbench-style tools give.
	MsgRate float64 `json:"msgs_per_sec"`
	MBRate  float64 `json:"mb_per_sec"`
	// DeliveryRate is all receivers' deliveries per second.
	DeliveryRate float64 `json:"deliveries_per_sec"`
	Latency      Latency `json:"latency"`
	// RTT summarises the round trips of the sampled messages (sender to
	// every receiver and back, the echo in the same service type), timed
	// on the senders' clocks; nil when none were measured.
	RTT *Latency `json:"rtt,omitempty"`
	// Summed over receivers.
	Lost       int64 `json:"lost"`
	Duplicated int64 `json:"duplicated"`
	OutOfOrder int64 `json:"out_of_order"`
	// TotalOrderDisagree is the number of receivers whose delivery order
	// differs from the first complete receiver's (AGREED, SAFE: must be 0).
	TotalOrderDisagree int `json:"total_order_disagree"`
	// Violations are broken promises of this service type; Warnings also
	// include disturbances (errors, a stall, a kicked client). Both are
	// always present in JSON, empty when there are none.
	Violations []string `json:"violations"`
	Warnings   []string `json:"warnings"`
	// Partial is true when the run was interrupted (its context ended)
	// before every message arrived: the figures cover the run up to then,
	// and messages that could still have arrived are not counted as lost.
	Partial bool `json:"partial,omitempty"`
	// Stopped says why the run ended before the end when its caller did
	// not interrupt it: a flood across hosts stops when one of its agents
	// fails ("agent NAME (HOST) was lost mid-run"); "" otherwise. The
	// figures then cover the run up to then, as for Partial.
	Stopped string `json:"stopped,omitempty"`
	// Verdict is Judge's word on the run, as the table's CHECK column
	// shows it.
	Verdict Verdict `json:"verdict"`
	// DaemonLost is true when every client of this flood lost its
	// connection to the daemon (the daemon went away or was restarted),
	// as opposed to one session being cut off.
	DaemonLost bool `json:"daemon_lost,omitempty"`
	// LongestGap is how long the service stalled at most: the longest
	// time between two deliveries at a surviving receiver.
	LongestGap time.Duration `json:"longest_gap_ns"`
	// Faults are the faults the flood saw (daemon crashes, partitions,
	// merges), in time order; nil when there were none. The promises are
	// then judged among the survivors: none of their messages lost, AGREED
	// and SAFE in one order, and of a departed sender's messages loss only
	// of those no survivor got.
	Faults []FaultEvent `json:"faults,omitempty"`
	// Sides are the components of a ring that split with senders on more
	// than one side, each judged on its own (Side); nil otherwise. The
	// total order is then one per side, and Violations name their side.
	Sides []Side `json:"sides,omitempty"`
	// ByDaemon are the receivers' figures grouped by the daemon they were
	// on, in placement order (one entry when all were on one daemon).
	ByDaemon []DaemonResult `json:"by_daemon"`
	Clients  []Client       `json:"clients"`

	hist    *hdrhistogram.Histogram
	rttHist *hdrhistogram.Histogram
}

// DaemonResult is what the receivers on one daemon got.
type DaemonResult struct {
	Daemon    string `json:"daemon"` // as dialled
	Receivers int    `json:"receivers"`
	Delivered int64  `json:"delivered"`
	// MsgRate and MBRate are per receiver, averaged over this daemon's.
	MsgRate    float64  `json:"msgs_per_sec"`
	MBRate     float64  `json:"mb_per_sec"`
	Latency    Latency  `json:"latency"`
	RTT        *Latency `json:"rtt,omitempty"`
	Lost       int64    `json:"lost"`
	Duplicated int64    `json:"duplicated"`
	OutOfOrder int64    `json:"out_of_order"`
}

// Verdict is Judge's word on a run, as the table's CHECK column shows it.
type Verdict string

// Verdicts, as Judge gives them and ServiceResult.Verdict carries them.
const (
	// VerdictBroken: a promise of the service type was broken.
	VerdictBroken Verdict = "BROKEN"
	// VerdictInterrupted: the run's caller stopped it before the end
	// (its context ended: Ctrl-C).
	VerdictInterrupted Verdict = "interrupted"
	// VerdictDisturbed: the run has warnings (errors, a stall, a session
	// cut off) or was stopped by a failure elsewhere (Stopped: an agent
	// lost), but broke no promise.
	VerdictDisturbed Verdict = "disturbed"
	// VerdictFaultKept: the run saw a fault and its survivors got
	// everything each promise says they must.
	VerdictFaultKept Verdict = "ok (fault)"
	// VerdictMayLose: messages were lost where the service type allows it.
	VerdictMayLose Verdict = "ok (may lose)"
	// VerdictOK: nothing to report.
	VerdictOK Verdict = "ok"
)

// Judge says how the run went, the first verdict that applies in the
// order VerdictBroken, VerdictInterrupted, VerdictDisturbed,
// VerdictFaultKept, VerdictMayLose, VerdictOK.
func (r *ServiceResult) Judge() Verdict {
	switch {
	case len(r.Violations) > 0:
		return VerdictBroken
	case r.Partial && r.Stopped == "":
		return VerdictInterrupted
	case len(r.Warnings) > 0 || r.Stopped != "":
		return VerdictDisturbed
	case len(r.Faults) > 0:
		return VerdictFaultKept
	case r.Lost > 0:
		return VerdictMayLose
	}
	return VerdictOK
}

// Histogram returns a copy of the merged latency histogram (nanoseconds).
func (r *ServiceResult) Histogram() *hdrhistogram.Histogram {
	if r.hist == nil {
		return newHistogram()
	}
	return hdrhistogram.Import(r.hist.Export())
}

// Results is a whole run.
type Results struct {
	Daemon    string        `json:"daemon"`
	Group     string        `json:"group"`
	Size      int           `json:"size"`
	Count     int           `json:"count,omitempty"`
	Duration  time.Duration `json:"duration_ns,omitempty"`
	Senders   int           `json:"senders"`
	Receivers int           `json:"receivers"`
	Window    int           `json:"window"`
	Rate      float64       `json:"rate,omitempty"`
	// RTTEvery is Config.RTTEvery: every how many messages one was echoed.
	RTTEvery int `json:"rtt_every,omitempty"`
	// ReadBatch is the bytes the receivers let wait before they were
	// woken (Config.ReadBatch), 0 when none batched.
	ReadBatch int `json:"read_batch,omitempty"`
	// SendersAt and ReceiversAt are the placement: the daemons the
	// sessions were spread over, round robin.
	SendersAt   []string        `json:"senders_at"`
	ReceiversAt []string        `json:"receivers_at"`
	Started     time.Time       `json:"started"`
	Services    []ServiceResult `json:"services"`
}

// Disturbed reports whether any service's run broke a promise or was
// disturbed.
func (r *Results) Disturbed() bool {
	for _, s := range r.Services {
		if len(s.Warnings) > 0 {
			return true
		}
	}
	return false
}
