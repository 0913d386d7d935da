package tap

import (
	"time"
)

// Direction says which way a frame travelled, in the words of the capture
// format (testdata/captures/README.md).
type Direction string

// The two directions of a conversation.
const (
	ClientToDaemon Direction = "C>D"
	DaemonToClient Direction = "D>C"
)

// Kind says what a frame is. The handshake kinds follow docs/protocol.md §4,
// one per protocol unit; the message kinds follow §6 (requests) and §7
// (what the daemon sends).
type Kind string

// Frame kinds.
const (
	KindOpen            Kind = "open"             // a client connected (no bytes)
	KindClose           Kind = "close"            // one side closed (no bytes); By says which
	KindConnect         Kind = "connect"          // the client's hello (§4.2)
	KindAuthOffer       Kind = "auth-offer"       // the daemon's method list (§4.4)
	KindAuthChoice      Kind = "auth-choice"      // the client's 90-byte choice (§4.4)
	KindHandshakeReject Kind = "handshake-reject" // a reject code in place of offer or accept (§4.7)
	KindAccept          Kind = "accept"           // the accept byte (§4.6)
	KindVersion         Kind = "version"          // the daemon's version bytes (§4.6)
	KindPrivateGroup    Kind = "private-group"    // the session's private group name (§4.6)
	KindJoin            Kind = "join"             // a JOIN request (§6.1)
	KindLeave           Kind = "leave"            // a LEAVE request (§6.2)
	KindKill            Kind = "kill"             // a KILL request, the client's disconnect (§6.3)
	KindData            Kind = "data"             // a data message (§6.4, §7.1)
	KindMembership      Kind = "membership"       // a regular membership message (§7.2)
	KindTransition      Kind = "transition"       // a transitional membership message (§7.3)
	KindSelfLeave       Kind = "self-leave"       // the leaving session's own notice (§7.4)
	KindReject          Kind = "reject"           // a REJECT_MESS (§7.5)
	KindOther           Kind = "other"            // a well-framed message of no kind above
	KindUndecodable     Kind = "undecodable"      // bytes the decoder could not read
)

// GroupID is a membership's group id (docs/protocol.md §7.2).
type GroupID struct {
	ProcID int32 `json:"proc_id"`
	Time   int32 `json:"time"`
	Index  int32 `json:"index"`
}

// Frame is one protocol unit of one conversation, decoded, or a
// connection's open or close. A Frame that Feed returns or OnFrame gets owns
// every field; one that FeedView or OnFrameView hands out is a view, valid
// only during the call (Clone makes it owned).
type Frame struct {
	Conn    int       `json:"conn"`              // connection number, from 1 in order of arrival
	Session string    `json:"session,omitempty"` // the private group once the daemon named it, else the name asked for
	Time    time.Time `json:"time"`
	Dir     Direction `json:"dir,omitempty"` // empty for open and close
	Kind    Kind      `json:"kind"`
	Size    int       `json:"size"` // bytes of the frame on the wire
	Raw     []byte    `json:"-"`    // those bytes, exactly as they travelled; shared with the frame's chunk, never to be modified

	By string `json:"by,omitempty"` // close: "C" (the client), "D" (the daemon, or the tap failing to reach it) or "T" (the tap, by a fault)

	// connect
	Name       string `json:"name,omitempty"`
	Version    string `json:"version,omitempty"` // connect and version: major.minor.patch
	Membership bool   `json:"membership,omitempty"`
	Priority   int    `json:"priority,omitempty"`

	Methods      []string `json:"methods,omitempty"`       // auth offer and choice
	Code         string   `json:"code,omitempty"`          // accept and handshake reject: ACCEPT_SESSION, REJECT_...
	PrivateGroup string   `json:"private_group,omitempty"` // private-group

	// messages (everything after the handshake)
	Service        string   `json:"service,omitempty"` // service bits by name, "AGREED|SELF_DISCARD"
	Type           uint32   `json:"type,omitempty"`    // the type field without the endian marker
	Sender         string   `json:"sender,omitempty"`
	Groups         []string `json:"groups,omitempty"`
	MsgType        int16    `json:"msg_type,omitempty"`
	EndianMismatch bool     `json:"endian_mismatch,omitempty"`
	BigEndian      bool     `json:"big_endian,omitempty"`
	Data           []byte   `json:"-"`                 // a data or reject message's body
	Preview        string   `json:"preview,omitempty"` // the start of Data, control bytes escaped; empty in a view

	// membership, transition and self-leave
	Cause      string     `json:"cause,omitempty"` // join, leave, disconnect, network
	Group      string     `json:"group,omitempty"`
	GroupID    *GroupID   `json:"group_id,omitempty"`
	Members    []string   `json:"members,omitempty"`
	VSSets     [][]string `json:"vs_sets,omitempty"`
	LocalVSSet int        `json:"local_vs_set,omitempty"`

	// Error says why a frame is undecodable (or what is odd about one that
	// decoded, such as a membership body that did not parse).
	Error string `json:"error,omitempty"`
}

// Clone returns an owned copy of f: its bytes, its lists and, for a data or
// reject message, its Preview.
func (f *Frame) Clone() Frame {
	c := *f
	c.Raw = append([]byte(nil), f.Raw...)
	if f.Data != nil {
		c.Data = cloneData(f, c.Raw)
		if c.Preview == "" {
			c.Preview = preview(f.Data)
		}
	}
	c.Methods = clone(f.Methods)
	c.Groups = clone(f.Groups)
	c.Members = clone(f.Members)
	if f.VSSets != nil {
		c.VSSets = make([][]string, len(f.VSSets))
		for i, set := range f.VSSets {
			c.VSSets[i] = clone(set)
		}
	}
	if f.GroupID != nil {
		id := *f.GroupID
		c.GroupID = &id
	}
	return c
}

// clone copies a list, keeping nil nil.
func clone(list []string) []string {
	if list == nil {
		return nil
	}
	return append(make([]string, 0, len(list)), list...)
}

// cloneData is f.Data in raw, the copy of f.Raw, when Data is the end of
// Raw as a decoded message's is; otherwise a copy of its own.
func cloneData(f *Frame, raw []byte) []byte {
	n := len(f.Data)
	if n == 0 {
		return raw[len(raw):]
	}
	if n <= len(f.Raw) && &f.Raw[len(f.Raw)-n] == &f.Data[0] {
		return raw[len(raw)-n:]
	}
	return append([]byte(nil), f.Data...)
}
