// Package flood measures a Spread daemon the way spflooder does, and more:
// it floods one group with fixed-size messages of each service type from
// several senders to several receivers (one real socket each), and returns
// per-service results — throughput at the receivers, one-way latency
// percentiles from a send timestamp in each payload, round trips when
// asked for, and the loss, duplication and ordering each service type
// promises, checked at the receivers. A daemon crash, partition or merge
// during a run is reported as faults, the promises then judged among the
// survivors; a partition with senders on several sides is judged side by
// side (ServiceResult.Sides).
//
// Run floods with a Config; its Mode says which sides run in this process.
// The other side of a read-only or write-only run is another process (a
// second spgo, spflooder, or an agent on another host). The parts of
// spgo processes travel with Ship and Unship (the histograms and order
// hashes JSON leaves out), and Merge combines them exactly, with the same
// summary step a local result gets. Sweep repeats a run over message sizes or receiver
// counts.
//
// The package renders nothing; internal/cli turns Results into tables,
// JSON, CSV and plots (pkg/flood/report, pkg/flood/plot).
package flood
