// Package daemonhttp is the HTTP face of a running spgo daemon or ring:
// /healthz for orchestrators, /metrics in the Prometheus exposition format,
// and /status as JSON (sessions, groups and members of every node).
//
// Everything is read from the daemons' own snapshot (daemon.Status) when a
// request comes: the metrics are a prometheus.Collector over it, so the
// message path keeps its plain counters and pays nothing per message. Every
// series carries a node label (the daemon's name), one per node of a ring.
//
// FetchStatus is the client side: it reads another daemon's /status into
// the same StatusReport.
package daemonhttp
