package spread

import "github.com/spgo/spgo/internal/wire"

// RawMessage is a reusable receive buffer for hot loops: ReceiveRaw fills it
// without allocating once its slices have grown to the largest message
// seen. Its contents are valid until the next ReceiveRaw into it.
type RawMessage struct {
	// Service is the service type as libspread reports it (for a reject:
	// OldType|RejectMess).
	Service ServiceType
	// MsgType is the 16-bit message type of data and reject messages (0
	// for daemon-made messages).
	MsgType        int16
	EndianMismatch bool
	// Read reports whether ReceiveRaw read from the connection to get
	// this message. When false the message was already whole in the
	// mailbox's buffer: it arrived with an earlier message's read, at the
	// same instant, so a loop timing arrivals needs the clock only when
	// Read is true.
	Read bool
	// Data is the body (for membership messages the raw membership body).
	Data []byte

	header  wire.Header
	oldType uint32
	groups  []byte
}

// Sender returns the sender field (the group, for membership messages),
// aliasing r.
func (r *RawMessage) Sender() []byte { return r.header.Sender.Bytes() }

// NumGroups is the number of group names (members, for membership
// messages).
func (r *RawMessage) NumGroups() int { return len(r.groups) / MaxGroupName }

// Group returns the i-th group name, aliasing r.
func (r *RawMessage) Group(i int) []byte {
	f := (*wire.Name)(r.groups[i*MaxGroupName : (i+1)*MaxGroupName])
	return f.Bytes()
}

// Message decodes r into an owned Message (allocating).
func (r *RawMessage) Message() (Message, error) {
	msg, err := decodeMessage(&r.header, r.oldType, r.groups, r.Data)
	if err != nil {
		return nil, &Error{Code: IllegalMessage, Op: "receive", Detail: "message cannot be decoded", Err: err}
	}
	return msg, nil
}

// ReceiveRaw is the allocation-free Receive: it copies the next message
// into r, reusing r's buffers. Decode membership messages with r.Message.
func (m *Mailbox) ReceiveRaw(r *RawMessage) error {
	m.r.mu.Lock()
	defer m.r.mu.Unlock()
	reads := m.r.reads
	h, oldType, groups, body, err := m.next()
	if err != nil {
		return err
	}
	r.Read = m.r.reads != reads
	r.header, r.oldType = h, oldType
	r.groups = append(r.groups[:0], groups...)
	r.Data = append(r.Data[:0], body...)
	svc, mt, mis := h.Delivered(oldType)
	r.Service, r.MsgType, r.EndianMismatch = ServiceType(svc), mt, mis
	return nil
}
