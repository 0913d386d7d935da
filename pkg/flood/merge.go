package flood

import (
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
// receivers' parts what was delivered. size is the message size.
func Merge(svc spread.ServiceType, size int, parts []*ServiceResult) *ServiceResult {
	m := &ServiceResult{Service: ServiceName(svc), hist: newHistogram(), rttHist: newHistogram(),
		Violations: []string{}, Warnings: []string{}, ByDaemon: []DaemonResult{}}
	var checks []Check
	receivers := 0
	for _, p := range parts {
		if m.Group == "" {
			m.Group = p.Group
		}
		for _, c := range p.Clients {
			m.Clients = append(m.Clients, c)
			switch c.Role {
			case RoleSender:
				m.Sent += c.Messages
			case RoleReceiver:
				receivers++
				m.Delivered += c.Messages
				if c.Check != nil {
					m.Lost += c.Check.Lost
					m.Duplicated += c.Check.Duplicated
					m.OutOfOrder += c.Check.OutOfOrder
					if !c.Departed {
						checks = append(checks, *c.Check)
					}
				}
				m.Elapsed = max(m.Elapsed, c.Elapsed)
				if !c.Departed {
					m.LongestGap = max(m.LongestGap, c.LongestGap)
				}
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
		m.DaemonLost = m.DaemonLost || p.DaemonLost
	}
	m.Latency = summarise(m.hist)
	if m.rttHist.TotalCount() > 0 {
		rtt := summarise(m.rttHist)
		m.RTT = &rtt
	}
	if receivers > 0 && m.Elapsed > 0 {
		m.DeliveryRate = float64(m.Delivered) / m.Elapsed.Seconds()
		m.MsgRate = m.DeliveryRate / float64(receivers)
		m.MBRate = m.MsgRate * float64(size) / 1e6
	}
	if (svc == spread.AgreedMess || svc == spread.SafeMess) && !m.Partial {
		m.TotalOrderDisagree = TotalOrderDisagreements(checks)
	}
	// Judged on the merged counts (each part's loss is already judged
	// against its faults) and the total order across every part.
	m.Violations = append(m.Violations, Violations(svc, m.Lost, m.Duplicated, m.OutOfOrder, m.TotalOrderDisagree)...)
	m.Verdict = m.Judge()
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
