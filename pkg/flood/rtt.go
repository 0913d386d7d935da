package flood

import hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

// Round trips (Config.RTTEvery) are timed by the senders, one histogram
// per echoing receiver (sender.rtt); these summarise them per sender, per
// receiver and per daemon.

// rttSummary summarises h; nil when it holds no round trip.
func rttSummary(h *hdrhistogram.Histogram) *Latency {
	if h == nil || h.TotalCount() == 0 {
		return nil
	}
	lat := summarise(h)
	return &lat
}

// mergeRTT adds every round trip sender s timed to into.
func mergeRTT(into *hdrhistogram.Histogram, s *sender) {
	for _, h := range s.rtt {
		into.Merge(h)
	}
}

// senderRTT summarises the round trips sender s timed.
func senderRTT(s *sender) *Latency {
	if len(s.rtt) == 0 {
		return nil
	}
	h := newHistogram()
	mergeRTT(h, s)
	return rttSummary(h)
}

// mergeRTTFrom adds the round trips receiver name echoed to the local
// senders to into.
func (f *flood) mergeRTTFrom(into *hdrhistogram.Histogram, name string) {
	for _, s := range f.senders {
		if h := s.rtt[name]; h != nil {
			into.Merge(h)
		}
	}
}

// rttFrom summarises the round trips that receiver name echoed to the
// local senders; nil when it echoed none.
func (f *flood) rttFrom(name string) *Latency {
	h := newHistogram()
	f.mergeRTTFrom(h, name)
	return rttSummary(h)
}
