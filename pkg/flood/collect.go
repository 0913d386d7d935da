package flood

import (
	"fmt"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// collect builds the service's result from the finished sessions, after
// the supervisor's warnings: one client row per session, judged by the
// loss rules (loss.go) and the fault judgement (fault.go), then the
// summary step a merged result shares (finish).
func (f *flood) collect(interrupted bool, warnings []string) *ServiceResult {
	sr := &ServiceResult{Service: ServiceName(f.svc), Group: f.group, Partial: interrupted, hist: newHistogram(), rttHist: newHistogram(),
		Warnings: append([]string{}, warnings...)} // [] rather than null in JSON
	faults := f.judgeFaults()
	sr.Sent = f.sentTotal()
	for _, s := range f.senders {
		sr.Clients = append(sr.Clients, f.senderClient(s, faults.senderDeparted(s)))
		mergeRTT(sr.rttHist, s)
	}
	refs := map[int]map[uint32]uint32{} // by side
	for _, r := range f.reporting() {
		departed := faults.receiverDeparted(r)
		if _, ok := refs[r.side]; !ok {
			refs[r.side] = f.lossReference(faults, r.side)
		}
		chk := f.receiverCheck(r, departed, interrupted, refs[r.side], sr.Sent)
		sr.Clients = append(sr.Clients, f.receiverClient(r, departed, chk))
		sr.hist.Merge(r.hist)
	}
	sr.Warnings = append(sr.Warnings, f.sessionWarnings(faults)...)
	sr.ByDaemon = f.byDaemon(sr.Clients)
	sr.Faults = faults.events(f)
	sr.Sides = f.sideResults()
	sr.DaemonLost = f.allLost()
	sr.finish(f.svc, f.cfg.Size)
	sr.Warnings = append(sr.Warnings, sr.Violations...)
	return sr
}

// senderClient is sender s's row.
func (f *flood) senderClient(s *sender, departed bool) Client {
	n := int64(s.sent.Load())
	c := Client{Name: s.name, Role: RoleSender, Daemon: s.daemon, Messages: n, Bytes: n * int64(f.cfg.Size), RTT: senderRTT(s), Side: s.side}
	if !s.end.IsZero() {
		c.Elapsed = s.end.Sub(s.begin)
		if c.Elapsed > 0 {
			c.MsgRate = float64(n) / c.Elapsed.Seconds()
		}
	}
	switch {
	case departed:
		c.Error, c.Departed = s.goneErr.Error(), true
	case s.err != nil:
		c.Error = s.err.Error()
	}
	return c
}

// receiverClient is reporting receiver r's row, with its check.
func (f *flood) receiverClient(r *receiver, departed bool, chk Check) Client {
	n := r.count.Load()
	lat := summarise(r.hist)
	c := Client{Name: r.name, Role: f.reportingRole(), Daemon: r.daemon, Messages: n, Bytes: r.bytes,
		Check: &chk, Latency: &lat, RTT: f.rttFrom(r.name), LongestGap: time.Duration(r.maxGap), Side: r.side}
	from := f.startTime.UnixNano()
	if f.cfg.Mode == ModeReadOnly {
		from = r.first // the clock starts with the first message
	}
	if r.last > from {
		c.Elapsed = time.Duration(r.last - from)
		c.MsgRate = float64(n) / c.Elapsed.Seconds()
	}
	switch {
	case departed && r.err != nil:
		c.Error, c.Departed = r.err.Error(), true
	case departed:
		c.Error, c.Departed = "a partition left it apart from the senders", true
	case r.err != nil:
		c.Error = r.err.Error()
	}
	return c
}

// sessionWarnings are the sessions' troubles that are not a fault: a
// sender's error, a receiver cut off, and messages a receiver could not
// count.
func (f *flood) sessionWarnings(faults faultJudgement) []string {
	var w []string
	for _, s := range f.senders {
		if s.err != nil && !faults.senderDeparted(s) {
			w = append(w, fmt.Sprintf("sender %s: %v", s.name, s.err))
		}
	}
	for _, r := range f.reporting() {
		if r.err != nil && !faults.receiverDeparted(r) {
			w = append(w, fmt.Sprintf("receiver %s was cut off: %v", r.name, r.err))
		}
		if r.rejects > 0 {
			w = append(w, fmt.Sprintf("receiver %s got %d rejected messages", r.name, r.rejects))
		}
		if r.foreign > 0 && len(f.receivers) > 0 { // write-only: other writers are expected
			w = append(w, fmt.Sprintf("receiver %s got %d messages from senders outside this flood (another flood on the group?)", r.name, r.foreign))
		}
		if r.short > 0 {
			w = append(w, fmt.Sprintf("receiver %s got %d messages too short to be flood messages", r.name, r.short))
		}
	}
	return w
}

// byDaemon groups the reporting receivers' figures by the daemon they were
// on, in placement order. clients ends with the reporting receivers'
// entries, in their order.
func (f *flood) byDaemon(clients []Client) []DaemonResult {
	recvs := f.reporting()
	rc := clients[len(clients)-len(recvs):]
	out := []DaemonResult{}
	at := map[string]int{}
	var hists, rtts []*hdrhistogram.Histogram
	var elapsed []time.Duration
	for i, r := range recvs {
		j, ok := at[r.daemon]
		if !ok {
			j = len(out)
			at[r.daemon] = j
			out = append(out, DaemonResult{Daemon: r.daemon})
			hists, rtts, elapsed = append(hists, newHistogram()), append(rtts, newHistogram()), append(elapsed, 0)
		}
		d, c := &out[j], rc[i]
		d.Receivers++
		d.Delivered += c.Messages
		d.Lost += c.Check.Lost
		d.Duplicated += c.Check.Duplicated
		d.OutOfOrder += c.Check.OutOfOrder
		elapsed[j] = max(elapsed[j], c.Elapsed)
		hists[j].Merge(r.hist)
		f.mergeRTTFrom(rtts[j], r.name)
	}
	for j := range out {
		d := &out[j]
		if elapsed[j] > 0 {
			d.MsgRate = float64(d.Delivered) / elapsed[j].Seconds() / float64(d.Receivers)
			d.MBRate = d.MsgRate * float64(f.cfg.Size) / 1e6
		}
		d.Latency = summarise(hists[j])
		d.RTT = rttSummary(rtts[j])
	}
	return out
}
