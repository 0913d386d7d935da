// Package tap sees, records and disturbs Spread client conversations: a
// transparent proxy that clients connect to as they would to a daemon,
// forwarding every byte unchanged to the daemon, while it decodes both
// directions into frames (docs/protocol.md §4 to §7).
//
// Conversation is the decoder alone: fed the bytes of one connection's two
// directions, in chunks of any size, it returns one Frame per protocol unit
// (the units of the capture format, testdata/captures/README.md), and shows
// bytes it cannot read as undecodable frames instead of failing.
//
// Start runs the proxy. Its Config names the daemon, where to listen, which
// sessions and groups to show (OnFrame), where to record every conversation
// in the capture format (Record), and the faults to inject into the selected
// sessions: a delay with jitter, a stall after N frames, a cut after N frames.
package tap
