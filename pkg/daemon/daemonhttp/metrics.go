package daemonhttp

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/spgo/spgo/pkg/daemon"
)

// Metric names follow namespace_subsystem_name_unit; every series has the
// node label.
const namespace, subsystem = "spgo", "daemon"

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(prometheus.BuildFQName(namespace, subsystem, name), help, append([]string{"node"}, labels...), nil)
}

var (
	descUp          = desc("up", "1 while the node runs, 0 for a crashed node of a ring.")
	descUptime      = desc("uptime_seconds", "Seconds since the node started.")
	descStart       = desc("start_time_seconds", "Start time of the node, seconds since 1970.")
	descSessions    = desc("sessions", "Live client sessions.")
	descHandshakes  = desc("handshakes", "Connections still in the handshake.")
	descGroups      = desc("groups", "Non-empty groups the node knows.")
	descDaemons     = desc("membership_daemons", "Daemons in the node's daemon membership.")
	descQueued      = desc("queued_messages", "Messages waiting in the sessions' queues.")
	descAccepted    = desc("sessions_accepted_total", "Sessions accepted since start.")
	descKills       = desc("session_kills_total", "Sessions the daemon cut off (bad frame, slow consumer, kill).")
	descSlowKills   = desc("slow_consumer_kills_total", "Sessions cut off because their queue was full.")
	descRejections  = desc("handshake_rejections_total", "Connections refused in the handshake, by reason.", "reason")
	descSenderWaits = desc("sender_waits_total", "Times a sender was held back for a congested receiver.")
	descMessagesIn  = desc("messages_in_total", "Data messages sent by clients, by service type.", "service")
	descBytesIn     = desc("in_bytes_total", "Frame bytes of the data messages sent by clients, by service type.", "service")
	descMessagesOut = desc("messages_out_total", "Data message copies queued to clients, by service type.", "service")
	descBytesOut    = desc("out_bytes_total", "Frame bytes of the data message copies queued to clients, by service type.", "service")
	allDescriptions = []*prometheus.Desc{descUp, descUptime, descStart, descSessions, descHandshakes, descGroups, descDaemons,
		descQueued, descAccepted, descKills, descSlowKills, descRejections, descSenderWaits,
		descMessagesIn, descBytesIn, descMessagesOut, descBytesOut}
)

// collector reads every node's Status at scrape time.
type collector struct {
	nodes func() []*daemon.Daemon
	now   func() time.Time
}

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range allDescriptions {
		ch <- d
	}
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	now := c.now()
	services := daemon.ServiceNames()
	for _, d := range c.nodes() {
		st := d.Status()
		node := st.Name
		gauge := func(desc *prometheus.Desc, v float64, labels ...string) {
			ch <- prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, v, append([]string{node}, labels...)...)
		}
		counter := func(desc *prometheus.Desc, v uint64, labels ...string) {
			ch <- prometheus.MustNewConstMetric(desc, prometheus.CounterValue, float64(v), append([]string{node}, labels...)...)
		}
		up := 0.0
		if st.Up {
			up = 1
		}
		gauge(descUp, up)
		gauge(descUptime, now.Sub(st.Started).Seconds())
		gauge(descStart, float64(st.Started.UnixNano())/1e9)
		gauge(descSessions, float64(st.Stats.Sessions))
		gauge(descHandshakes, float64(st.Stats.Handshakes))
		gauge(descGroups, float64(st.Stats.Groups))
		gauge(descDaemons, float64(len(st.Daemons)))
		gauge(descQueued, float64(st.Queued))
		counter(descAccepted, st.Stats.Connects)
		counter(descKills, st.Stats.Kills)
		counter(descSlowKills, st.SlowConsumerKills)
		counter(descSenderWaits, st.Stats.SenderWaits)
		for _, r := range daemon.RejectionReasons() {
			counter(descRejections, st.Rejections[r], r)
		}
		for i, svc := range services {
			s := st.Services[i]
			counter(descMessagesIn, s.MessagesIn, svc)
			counter(descBytesIn, s.BytesIn, svc)
			counter(descMessagesOut, s.MessagesOut, svc)
			counter(descBytesOut, s.BytesOut, svc)
		}
	}
}
