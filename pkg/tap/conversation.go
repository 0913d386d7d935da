package tap

import (
	"sync"
	"time"

	"github.com/spgo/spgo/internal/wire"
)

// state is where a stream's decoder stands: which unit it expects next.
type state int

const (
	stateHello      state = iota // client: the hello
	stateAuthChoice              // client: the 90-byte auth choice
	stateOffer                   // daemon: an auth offer, or a reject code in its place
	stateAccept                  // daemon: the accept byte, or a reject code
	stateVersion                 // daemon: its version bytes
	statePrivate                 // daemon: the private group name
	stateMessages                // either side: 48-byte headers and what follows them
	stateRaw                     // either side: lost; every byte is undecodable
)

// stream is one direction of a conversation: its bytes not yet framed and
// what comes next.
type stream struct {
	dir     Direction
	state   state
	pending []byte
	scratch Frame       // the frame being handed out, reused so none is allocated
	groups  []string    // the scratch frame's group names, reused likewise
	header  wire.Header // the header of the message being cut
}

// Conversation decodes both byte streams of one client connection into
// frames, as the client and the daemon read them (docs/protocol.md §18).
// The daemon's handshake depends on the client's version, so one
// Conversation sees both directions; it is safe for use by one goroutine
// per direction. Bytes it cannot read become KindUndecodable frames, and
// the stream they came in is not decoded further: it never panics and
// never stops the bytes.
type Conversation struct {
	mu      sync.Mutex
	conn    int
	session string
	// The client's version as its hello gave it, which decides whether
	// an auth exchange happens and how many version bytes the daemon
	// sends; helloSeen is false until then.
	helloSeen    bool
	major, minor byte
	streams      [2]stream
	names        interner
}

// NewConversation returns the decoder of connection number conn.
func NewConversation(conn int) *Conversation {
	return &Conversation{conn: conn, streams: [2]stream{
		{dir: ClientToDaemon, state: stateHello},
		{dir: DaemonToClient, state: stateOffer},
	}}
}

// Session is the session's name as far as the conversation shows it: the
// private group once the daemon sent it, before that the name the client
// asked for, before that "".
func (c *Conversation) Session() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.session
}

func (c *Conversation) stream(dir Direction) *stream {
	if dir == ClientToDaemon {
		return &c.streams[0]
	}
	return &c.streams[1]
}

// Feed decodes b, bytes that travelled in dir at time t, and returns the
// frames they complete, in order. b is not retained: frames own their
// bytes. Bytes that end inside a frame wait for the next Feed.
func (c *Conversation) Feed(dir Direction, b []byte, t time.Time) []Frame {
	var out []Frame
	c.FeedView(dir, b, t, func(f *Frame) { out = append(out, f.Clone()) })
	return out
}

// pending is how many bytes of dir's stream wait for the rest of their
// frame.
func (c *Conversation) pending(dir Direction) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.stream(dir).pending)
}

// FeedView is Feed handing each frame to view as it is cut, with no copy:
// the frame, its bytes and its lists are valid only during the call, and
// must not be changed (Clone makes an owned copy). Its Preview is empty
// (AppendSummary and MarshalJSON compute it from Data). b is not retained.
func (c *Conversation) FeedView(dir Direction, b []byte, t time.Time, view func(*Frame)) {
	// Frames alias b, or the stream's pending bytes when they complete a
	// frame an earlier chunk began; the pending bytes are the stream's
	// own, reused once the frames they held are handed out.
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.stream(dir)
	for len(s.pending) > 0 {
		// Complete the waiting frame with only the bytes it needs, so
		// that a large chunk is not copied whole; a header first tells
		// how many its frame needs.
		take := len(b)
		if need := needed(s, s.pending); need > len(s.pending) {
			take = min(take, need-len(s.pending))
		}
		s.pending = append(s.pending, b[:take]...)
		b = b[take:]
		rest := c.cut(s, dir, s.pending, t, view)
		s.pending = append(s.pending[:0], rest...)
		if len(b) == 0 {
			return
		}
	}
	rest := c.cut(s, dir, b, t, view)
	s.pending = append(s.pending[:0], rest...)
}

// cut hands the frames at the start of buf to emit and returns what is
// left of buf, the start of a frame not complete yet.
func (c *Conversation) cut(s *stream, dir Direction, buf []byte, t time.Time, emit func(*Frame)) []byte {
	p := &s.scratch
	for len(buf) > 0 {
		n := c.next(s, buf, p)
		if n == 0 {
			break
		}
		p.Conn, p.Dir, p.Time, p.Size = c.conn, dir, t, n
		p.Raw = buf[:n:n]
		fillMessage(p, s, &c.names)
		c.learn(p)
		p.Session = c.session
		emit(p)
		buf = buf[n:]
	}
	return buf
}

// needed is how many bytes the frame at the start of b takes, when s
// expects a message and b holds its header; 0 when not known.
func needed(s *stream, b []byte) int {
	if s.state != stateMessages {
		return 0
	}
	if len(b) < wire.HeaderSize {
		return wire.HeaderSize
	}
	h, err := wire.DecodeHeader(b)
	if err != nil {
		return 0
	}
	rest, err := h.CheckLengths(wire.ClientReadLimits)
	if err != nil {
		return 0
	}
	return wire.HeaderSize + rest
}

// End returns the bytes dir's stream left unframed, when that side has
// closed, as one undecodable frame (nil when there are none).
func (c *Conversation) End(dir Direction, t time.Time) *Frame {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.stream(dir)
	if len(s.pending) == 0 {
		return nil
	}
	f := &Frame{Conn: c.conn, Session: c.session, Time: t, Dir: dir, Kind: KindUndecodable,
		Size: len(s.pending), Raw: s.pending, Error: "the stream ended inside a frame"}
	s.pending, s.state = nil, stateRaw
	return f
}

// learn keeps what later frames depend on: the client's version and the
// session's name.
func (c *Conversation) learn(f *Frame) {
	switch f.Kind {
	case KindConnect:
		c.helloSeen = true
		c.major, c.minor = f.Raw[0], f.Raw[1]
		c.session = f.Name
	case KindPrivateGroup:
		c.session = f.PrivateGroup
	}
}

// next cuts the frame at the start of b that s expects into f, clearing
// what f held, and returns its length, or 0 when b ends before the frame
// does. It moves s on.
func (c *Conversation) next(s *stream, b []byte, f *Frame) int {
	*f = Frame{}
	if s.state == stateMessages { // the frames after the handshake: nearly all
		return message(s, b, f)
	}
	var n int
	*f, n = c.handshake(s, b)
	return n
}

// handshake cuts the handshake unit, or what follows an undecodable one,
// at the start of b that s expects.
func (c *Conversation) handshake(s *stream, b []byte) (Frame, int) {
	switch s.state {
	case stateHello:
		return c.hello(s, b)
	case stateAuthChoice:
		return authChoice(s, b)
	case stateOffer:
		return c.offer(s, b)
	case stateAccept:
		return acceptByte(s, b)
	case stateVersion:
		return c.daemonVersion(s, b)
	case statePrivate:
		return privateGroup(s, b)
	}
	return Frame{Kind: KindUndecodable, Error: "after bytes that could not be decoded"}, len(b)
}

// undecodable gives up on s: every byte from here on is shown as is.
func undecodable(s *stream, b []byte, why string) (Frame, int) {
	s.state = stateRaw
	return Frame{Kind: KindUndecodable, Error: why}, len(b)
}

// usesAuth reports whether the client takes part in the auth exchange
// (docs/protocol.md §4.3 step 10); before its hello a client is assumed to.
func (c *Conversation) usesAuth() bool {
	return !c.helloSeen || wire.VersionNumber(c.major, c.minor, 0) >= wire.AuthVersion
}
