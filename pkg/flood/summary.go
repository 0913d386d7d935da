package flood

import (
	"fmt"

	"github.com/spgo/spgo/pkg/spread"
)

// finish is the one summary step of a service's result, shared by a flood
// in this process (collect) and a merge of parts from several (Merge), so
// that the two cannot disagree. From the client rows and the histograms
// it derives the delivery counts and loss (summed over the reporting
// clients), the rates, the latency and round-trip summaries, the total
// order among the survivors, the broken promises and the verdict. Sent,
// Warnings, Faults, Partial, Stopped and the histograms are the caller's.
func (r *ServiceResult) finish(svc spread.ServiceType, size int) {
	role := reportingRole(r.Clients)
	var checks []Check
	var reporting, survivors, survivorDeliveries int64
	for _, c := range r.Clients {
		if c.Role != role {
			continue
		}
		reporting++
		r.Delivered += c.Messages
		r.Elapsed = max(r.Elapsed, c.Elapsed)
		if c.Check != nil {
			r.Lost += c.Check.Lost
			r.Duplicated += c.Check.Duplicated
			r.OutOfOrder += c.Check.OutOfOrder
		}
		if c.Error == "" { // how long a receiver that ran to the end waited
			r.LongestGap = max(r.LongestGap, c.LongestGap)
		}
		if !c.Departed { // the total order is judged among the survivors
			survivors++
			survivorDeliveries += c.Messages
			if c.Check != nil {
				checks = append(checks, *c.Check)
			}
		}
	}
	if reporting > 0 && r.Elapsed > 0 {
		r.DeliveryRate = float64(r.Delivered) / r.Elapsed.Seconds()
		r.MsgRate = perReceiverRate(r.Delivered, reporting, survivorDeliveries, survivors, r.Elapsed)
		r.MBRate = r.MsgRate * float64(size) / 1e6
	}
	if r.hist != nil {
		r.Latency = summarise(r.hist)
	}
	r.RTT = rttSummary(r.rttHist)
	totalOrder := (svc == spread.AgreedMess || svc == spread.SafeMess) && !r.Partial
	if len(r.Sides) > 0 {
		r.judgeSides(svc, role, totalOrder)
	} else {
		if totalOrder {
			r.TotalOrderDisagree = TotalOrderDisagreements(checks)
		}
		r.Violations = append([]string{}, Violations(svc, r.Lost, r.Duplicated, r.OutOfOrder, r.TotalOrderDisagree)...)
	}
	r.Verdict = r.Judge()
}

// judgeSides sums each side's clients (those whose Side names it) and
// judges its promises on their own, the total order among its receivers
// only. The result's violations are each side's, "side K: " before them,
// then those of what no side holds (departed and apart receivers); its
// TotalOrderDisagree is the sides' sum.
func (r *ServiceResult) judgeSides(svc spread.ServiceType, role Role, totalOrder bool) {
	r.TotalOrderDisagree, r.Violations = 0, []string{}
	lost, dup, outOfOrder := r.Lost, r.Duplicated, r.OutOfOrder
	for k := range r.Sides {
		sd := &r.Sides[k]
		sd.Sent, sd.Delivered, sd.Lost, sd.Duplicated, sd.OutOfOrder, sd.TotalOrderDisagree = 0, 0, 0, 0, 0, 0
		var checks []Check
		for _, c := range r.Clients {
			switch {
			case c.Side != k+1:
			case c.Role == RoleSender:
				sd.Sent += c.Messages
			case c.Role == role && c.Check != nil:
				sd.Delivered += c.Messages
				sd.Lost += c.Check.Lost
				sd.Duplicated += c.Check.Duplicated
				sd.OutOfOrder += c.Check.OutOfOrder
				checks = append(checks, *c.Check)
			}
		}
		if totalOrder {
			sd.TotalOrderDisagree = TotalOrderDisagreements(checks)
		}
		sd.Violations = append([]string{}, Violations(svc, sd.Lost, sd.Duplicated, sd.OutOfOrder, sd.TotalOrderDisagree)...)
		sd.Verdict = VerdictFaultKept
		if len(sd.Violations) > 0 {
			sd.Verdict = VerdictBroken
		}
		for _, v := range sd.Violations {
			r.Violations = append(r.Violations, fmt.Sprintf("side %d: %s", k+1, v))
		}
		r.TotalOrderDisagree += sd.TotalOrderDisagree
		lost, dup, outOfOrder = lost-sd.Lost, dup-sd.Duplicated, outOfOrder-sd.OutOfOrder
	}
	r.Violations = append(r.Violations, Violations(svc, lost, dup, outOfOrder, 0)...)
}

// reportingRole is the role of the clients whose deliveries are measured:
// the receivers, or in a write-only run the senders' own sessions.
func reportingRole(clients []Client) Role {
	for _, c := range clients {
		if c.Role == RoleReceiver {
			return RoleReceiver
		}
	}
	return RoleSenderEchoes
}

// Violations lists the promises of service type svc that the counts break:
// UNRELIABLE may lose and reorder; RELIABLE may reorder but not lose; FIFO
// and CAUSAL (checked as FIFO: one sender's messages in order) may do
// neither; AGREED and SAFE also deliver in one total order at every
// receiver. No service type may duplicate.
func Violations(svc spread.ServiceType, lost, dup, outOfOrder int64, disagree int) []string {
	var v []string
	name := ServiceName(svc)
	if lost > 0 && svc != spread.UnreliableMess {
		v = append(v, fmt.Sprintf("%s lost %d messages (it promises delivery)", name, lost))
	}
	if dup > 0 {
		v = append(v, fmt.Sprintf("%s delivered %d duplicates", name, dup))
	}
	if outOfOrder > 0 && svc != spread.UnreliableMess && svc != spread.ReliableMess {
		v = append(v, fmt.Sprintf("%s delivered %d messages out of their sender's order", name, outOfOrder))
	}
	if disagree > 0 {
		v = append(v, fmt.Sprintf("%s: %d receivers delivered in a different order than the first (total order broken)", name, disagree))
	}
	return v
}
