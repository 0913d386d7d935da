package flood

import "strings"

// Placement is where a flood's sessions connect, told the way a reader
// knows the daemons: Senders and Receivers are the daemons dialled
// (Config.SenderDaemons and ReceiverDaemons), Labels the names shown for
// them (the nodes d1..dN of a ring rather than their addresses).
type Placement struct {
	Senders, Receivers []string
	// Labels maps a daemon as dialled to the name shown; a daemon not in
	// it is shown as dialled.
	Labels map[string]string
}

// Label is the name daemon is shown by.
func (p Placement) Label(daemon string) string {
	if l, ok := p.Labels[daemon]; ok {
		return l
	}
	return daemon
}

// Describe is the placement in one line, "senders on d1 (ADDR); receivers
// on d2 (ADDR), d3 (ADDR) (round robin)", or "" when no daemon is listed
// (a flood on one daemon).
func (p Placement) Describe() string {
	if len(p.Senders) == 0 && len(p.Receivers) == 0 {
		return ""
	}
	return "senders on " + p.describeList(p.Senders) + "; receivers on " + p.describeList(p.Receivers) + " (round robin)"
}

func (p Placement) describeList(daemons []string) string {
	out := make([]string, len(daemons))
	for i, d := range daemons {
		out[i] = d
		if l := p.Label(d); l != d {
			out[i] = l + " (" + d + ")"
		}
	}
	return strings.Join(out, ", ")
}

// Relabel names the daemons in the results of points by their labels.
func (p Placement) Relabel(points []Point) {
	if len(p.Labels) == 0 {
		return
	}
	labels := func(list []string) []string {
		out := make([]string, len(list))
		for i, d := range list {
			out[i] = p.Label(d)
		}
		return out
	}
	for _, pt := range points {
		r := pt.Results
		r.SendersAt, r.ReceiversAt = labels(r.SendersAt), labels(r.ReceiversAt)
		for i := range r.Services {
			s := &r.Services[i]
			for j := range s.ByDaemon {
				s.ByDaemon[j].Daemon = p.Label(s.ByDaemon[j].Daemon)
			}
			for j := range s.Clients {
				s.Clients[j].Daemon = p.Label(s.Clients[j].Daemon)
			}
			for j := range s.Sides {
				s.Sides[j].Daemons = labels(s.Sides[j].Daemons)
			}
		}
	}
}
