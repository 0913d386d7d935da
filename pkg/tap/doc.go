// Package tap sees, records and disturbs Spread client conversations: a
// transparent proxy that clients connect to as they would to a daemon,
// forwarding every byte unchanged to the daemon, while it decodes both
// directions into frames (docs/protocol.md §4 to §7).
//
// Conversation is the decoder alone: fed the bytes of one connection's two
// directions, in chunks of any size, it returns one Frame per protocol unit
// (the units of the capture format, testdata/captures/README.md), and shows
// bytes it cannot read as undecodable frames instead of failing. Feed
// returns owned frames; FeedView hands out views, valid during the call
// and costing no allocation, which is what a tap in front of a busy daemon
// can afford. A frame renders itself: String (AppendText without
// allocating) is spgo tap's line, MarshalJSON its -o json object.
//
// Start runs the proxy. Its Config names the daemon, where to listen, which
// sessions and groups to show (OnFrame, or OnFrameView for views), where to
// record every conversation in the capture format (Record), and the faults
// to inject into the selected sessions: a delay with jitter, a stall after
// N frames, a cut after N frames. Listen opens where clients connect, for
// the tap or anything else that plays a daemon.
package tap
