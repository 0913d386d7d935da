// Package flood measures a Spread daemon the way spflooder does, and more:
// it floods one group with fixed-size messages of each service type from
// several senders to several receivers (one real socket each), and returns
// per-service results — throughput at the receivers, one-way latency
// percentiles from a send timestamp in each payload, and the loss,
// duplication and ordering each service type promises, checked at the
// receivers. It renders nothing; internal/cli turns Results into tables,
// JSON, CSV and plots.
package flood
