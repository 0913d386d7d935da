// Package embedded starts spgo daemons in this process for a flood to run
// against: one daemon on a free port (TCP or a unix socket), or a ring of
// nodes d1..dN with the flood's sessions placed on the nodes named and,
// if asked, a node crashed or the ring split halfway through the run.
//
// It is the one part of the flood engine that knows pkg/daemon: package
// flood itself floods any daemon by name.
package embedded
