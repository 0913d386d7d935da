// Package ringctl is the control socket of a running ring (daemon.Ring):
// the server `spgo daemon --nodes N` runs, the client `spgo daemon ctl`
// uses, and the line protocol between them.
//
// The socket is a Unix socket only its owner may use (mode 0600), one
// command line per connection, one reply line ("ok LAYOUT" or
// "error: MESSAGE"). Commands:
//
//	crash NODE        stop NODE as a crashing daemon stops (Ring.Crash)
//	restart NODE      start a crashed NODE again (Ring.Restart)
//	freeze NODE       stop NODE as a stopped process stops (Ring.Freeze)
//	thaw NODE         wake a frozen NODE (Ring.Thaw)
//	partition SPEC    split the ring: "d1,d2/d3", every node exactly once
//	heal              end the partition (Ring.Heal)
//	hold              make the next fault wait (Ring.Hold)
//	step              tell the next part of a held fault (Ring.Step)
//	status            the layout, as after every fault
//
// Every successful reply is "ok " and the layout (Layout.String): the
// components in the partition syntax, then " crashed=NODE,..." when some
// node is down, " frozen=NODE,..." when some node is frozen, then " held=next", " held=unnoticed" or
// " held=transitional" while a fault is held. A refused command changes
// nothing; the client returns it as a *daemon.FaultError.
//
// Commands and Usage name the commands; Layout.Complete offers the nodes
// a command may take on a given layout, for shell completion.
package ringctl
