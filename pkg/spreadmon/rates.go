package spreadmon

import "time"

// Rates are a daemon's counters' changes per second between two polls.
// The JSON names are spgo monitor's.
type Rates struct {
	Sent        float64 `json:"sent"`         // Status.PacketSent
	Recv        float64 `json:"recv"`         // Status.PacketRecv
	Delivered   float64 `json:"delivered"`    // Status.PacketDelivered
	Retrans     float64 `json:"retrans"`      // Status.Retrans
	TokenRounds float64 `json:"token_rounds"` // Status.TokenRounds
}

// RatesBetween returns, for each result of cur, its rates since the result
// of the same index in prev, a poll dt earlier. An entry is nil where
// there is no rate to give: prev is empty or dt not positive, the daemon
// did not answer both polls, or it restarted in between (its uptime went
// back). Counters that wrapped around as int32 still give their change.
func RatesBetween(prev, cur []Result, dt time.Duration) []*Rates {
	out := make([]*Rates, len(cur))
	if dt <= 0 {
		return out
	}
	s := dt.Seconds()
	for i, c := range cur {
		if i >= len(prev) || c.Status == nil || prev[i].Status == nil || c.Status.Sec < prev[i].Status.Sec {
			continue
		}
		a, b := prev[i].Status, c.Status
		out[i] = &Rates{
			Sent:        float64(b.PacketSent-a.PacketSent) / s,
			Recv:        float64(b.PacketRecv-a.PacketRecv) / s,
			Delivered:   float64(b.PacketDelivered-a.PacketDelivered) / s,
			Retrans:     float64(b.Retrans-a.Retrans) / s,
			TokenRounds: float64(b.TokenRounds-a.TokenRounds) / s,
		}
	}
	return out
}
