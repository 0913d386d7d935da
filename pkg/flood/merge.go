package flood

import (
	"cmp"
	"fmt"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/spgo/spgo/pkg/spread"
)

// Parts of one service type's flood run in several processes (agents)
// travel as ServiceResult JSON plus what JSON leaves out: the histograms
// and the receivers' order hashes (Shipment). Merge puts them together
// exactly: counts summed, histograms merged, the total order compared
// across every receiver.

// Shipment is the part of a ServiceResult that JSON does not carry.
type Shipment struct {
	Latency []byte   `json:"latency_hist"` // HDR histogram, compressed encoding
	RTT     []byte   `json:"rtt_hist,omitempty"`
	Hashes  []uint64 `json:"order_hashes"` // per receiver client, in Clients order (0: none)
}

// Ship returns what r's JSON leaves out.
func (r *ServiceResult) Ship() (Shipment, error) {
	var sh Shipment
	var err error
	if sh.Latency, err = r.Histogram().Encode(hdrhistogram.V2CompressedEncodingCookieBase); err != nil {
		return sh, fmt.Errorf("flood: encoding a histogram: %w", err)
	}
	if r.rttHist != nil && r.rttHist.TotalCount() > 0 {
		if sh.RTT, err = r.rttHist.Encode(hdrhistogram.V2CompressedEncodingCookieBase); err != nil {
			return sh, fmt.Errorf("flood: encoding a histogram: %w", err)
		}
	}
	for _, c := range r.Clients {
		var h uint64
		if c.Check != nil {
			h = c.Check.OrderHash
		}
		sh.Hashes = append(sh.Hashes, h)
	}
	return sh, nil
}

// Unship restores into r (decoded from JSON) what sh carried.
func (r *ServiceResult) Unship(sh Shipment) error {
	h, err := hdrhistogram.Decode(sh.Latency)
	if err != nil {
		return fmt.Errorf("flood: decoding a histogram: %w", err)
	}
	r.hist = h
	r.rttHist = newHistogram()
	if len(sh.RTT) > 0 {
		if r.rttHist, err = hdrhistogram.Decode(sh.RTT); err != nil {
			return fmt.Errorf("flood: decoding a histogram: %w", err)
		}
	}
	if len(sh.Hashes) != len(r.Clients) {
		return fmt.Errorf("flood: %d order hashes for %d clients", len(sh.Hashes), len(r.Clients))
	}
	for i := range r.Clients {
		if c := r.Clients[i].Check; c != nil {
			c.OrderHash = sh.Hashes[i]
		}
	}
	return nil
}

// Merge combines the parts of one service type's flood, each run by
// another process over the same group: senders' parts give what was sent,
// receivers' parts what was delivered. size is the message size. The
// merged figures come from the same summary step as a local result's, so
// they agree with what one process running every session would report.
func Merge(svc spread.ServiceType, size int, parts []*ServiceResult) *ServiceResult {
	m := &ServiceResult{Service: ServiceName(svc), hist: newHistogram(), rttHist: newHistogram(),
		Warnings: []string{}, ByDaemon: []DaemonResult{}}
	for _, p := range parts {
		m.Group = cmp.Or(m.Group, p.Group)
		m.Clients = append(m.Clients, p.Clients...)
		for _, c := range p.Clients {
			if c.Role == RoleSender {
				m.Sent += c.Messages
			}
		}
		// A senders' part (write-only) timed its own echoes: that is not
		// one-way latency to the receivers.
		if p.hist != nil && hasRole(p, RoleReceiver) {
			m.hist.Merge(p.hist)
		}
		if p.rttHist != nil {
			m.rttHist.Merge(p.rttHist)
		}
		m.Warnings = append(m.Warnings, p.Warnings...)
		m.Faults = append(m.Faults, p.Faults...)
		m.ByDaemon = append(m.ByDaemon, p.ByDaemon...)
		m.Partial = m.Partial || p.Partial
		m.Stopped = cmp.Or(m.Stopped, p.Stopped)
		m.DaemonLost = m.DaemonLost || p.DaemonLost
	}
	// Judged on the merged counts (each part's loss is already judged
	// against its faults) and the total order across every part; the
	// parts' warnings already carry their own broken promises.
	m.finish(svc, size)
	return m
}

func hasRole(r *ServiceResult, role Role) bool {
	for _, c := range r.Clients {
		if c.Role == role {
			return true
		}
	}
	return false
}
