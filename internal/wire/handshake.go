package wire

import (
	"bytes"
	"io"
)

// Hello is the client's first frame (§4.2).
type Hello struct {
	Major, Minor, Patch byte
	// Flags is the raw flags byte: membership + 16*priority.
	Flags byte
	Name  []byte // private name, 0..10 bytes as sent
}

// HasPatchByte reports whether a client or daemon of version major.minor
// sends the third version byte: only versions after 3.14 do (§4.2).
func HasPatchByte(major, minor byte) bool {
	return int(int8(major))*10000+int(int8(minor))*100 > 31400
}

// Version returns the version as the daemon compares it:
// major*10000+minor*100+patch with every byte signed.
func (h *Hello) Version() int {
	return int(int8(h.Major))*10000 + int(int8(h.Minor))*100 + int(int8(h.Patch))
}

// Membership reports whether the client asked for membership messages. The
// daemon reads the flags byte as a signed char: odd values ask, so any byte
// of 0x80 and up means no (§4.2).
func (h *Hello) Membership() bool { return int8(h.Flags)%2 == 1 }

// Priority is the flags byte divided by 16, signed as the daemon reads it.
func (h *Hello) Priority() int { return int(int8(h.Flags)) / 16 }

// HelloFlags builds the flags byte libspread sends.
func HelloFlags(membership bool, priority int) byte {
	var f byte
	if membership {
		f = 1
	}
	if priority > 0 {
		f += 16
	}
	return f
}

// AppendHello appends a 4.4.0 client hello. The name must already be checked
// (at most MaxPrivateName bytes).
func AppendHello(dst []byte, flags byte, name string) []byte {
	dst = append(dst, VersionMajor, VersionMinor, VersionPatch, flags, byte(len(name)))
	return append(dst, name...)
}

// ReadHello reads a hello field by field, as the daemon does (§4.3): two
// version bytes, the patch byte for versions after 3.14, flags and the name
// length, then the name. It returns the length byte as sent (signed) so the
// caller can apply the name rules; the name is read only when the length is
// within 0..MaxPrivateName, otherwise Name is nil and nameLen says why.
func ReadHello(r io.Reader) (h Hello, nameLen int, err error) {
	var b [3]byte
	if _, err = io.ReadFull(r, b[:2]); err != nil {
		return h, 0, err
	}
	h.Major, h.Minor = b[0], b[1]
	if HasPatchByte(h.Major, h.Minor) {
		if _, err = io.ReadFull(r, b[:1]); err != nil {
			return h, 0, err
		}
		h.Patch = b[0]
	}
	if _, err = io.ReadFull(r, b[:2]); err != nil {
		return h, 0, err
	}
	h.Flags = b[0]
	nameLen = int(int8(b[1]))
	if nameLen < 0 || nameLen > MaxPrivateName {
		return h, nameLen, nil
	}
	if nameLen > 0 {
		h.Name = make([]byte, nameLen)
		if _, err = io.ReadFull(r, h.Name); err != nil {
			return h, nameLen, err
		}
	}
	return h, nameLen, nil
}

// DecodeHello decodes a whole hello held in b and reports how many bytes it
// used. Used by tests and tools that hold a captured hello.
func DecodeHello(b []byte) (Hello, int, error) {
	r := bytes.NewReader(b)
	h, n, err := ReadHello(r)
	if err != nil {
		return h, 0, short("hello", len(b)+1, len(b))
	}
	if n < 0 || n > MaxPrivateName {
		return h, 0, &FrameError{Frame: "hello", Field: "name length", Value: int64(n), Limit: MaxPrivateName}
	}
	return h, len(b) - r.Len(), nil
}

// AppendAuthOffer appends the daemon's method offer (§4.4): a length byte,
// then every method name followed by one space.
func AppendAuthOffer(dst []byte, methods []string) []byte {
	n := 0
	for _, m := range methods {
		n += len(m) + 1
	}
	dst = append(dst, byte(n))
	for _, m := range methods {
		dst = append(dst, m...)
		dst = append(dst, ' ')
	}
	return dst
}

// ParseAuthOffer splits an offer list ("NULL IP ") into method names.
func ParseAuthOffer(list []byte) []string {
	var out []string
	for _, f := range bytes.Fields(list) {
		out = append(out, string(f))
	}
	return out
}

// AppendAuthChoice appends the 90-byte choice: up to three NUL-padded
// 30-byte slots. Names longer than 29 bytes or more than three methods are a
// FrameError.
func AppendAuthChoice(dst []byte, methods []string) ([]byte, error) {
	if len(methods) > AuthSlots {
		return dst, &FrameError{Frame: "auth choice", Field: "methods", Value: int64(len(methods)), Limit: AuthSlots}
	}
	start := len(dst)
	dst = append(dst, make([]byte, AuthChoiceSize)...)
	for i, m := range methods {
		if len(m) == 0 || len(m) >= AuthSlotSize {
			return dst[:start], &FrameError{Frame: "auth choice", Field: "method name length", Value: int64(len(m)), Limit: AuthSlotSize - 1}
		}
		copy(dst[start+i*AuthSlotSize:], m)
	}
	return dst, nil
}

// DecodeAuthChoice returns the methods named in a 90-byte choice, reading
// slots up to the first empty one, as the daemon does (§4.4).
func DecodeAuthChoice(b []byte) ([]string, error) {
	if len(b) != AuthChoiceSize {
		return nil, short("auth choice", AuthChoiceSize, len(b))
	}
	var out []string
	for i := 0; i < AuthSlots; i++ {
		slot := b[i*AuthSlotSize : (i+1)*AuthSlotSize]
		if slot[0] == 0 {
			break
		}
		if j := bytes.IndexByte(slot, 0); j >= 0 {
			slot = slot[:j]
		}
		out = append(out, string(slot))
	}
	return out, nil
}

// AppendAccept appends the daemon's acceptance (§4.6): 0x01, the daemon
// version (two or three bytes, as the client's version asks), the length of
// the private group name and the name.
func AppendAccept(dst []byte, withPatch bool, privateGroup string) []byte {
	dst = append(dst, AcceptSession, VersionMajor, VersionMinor)
	if withPatch {
		dst = append(dst, VersionPatch)
	}
	dst = append(dst, byte(len(privateGroup)))
	return append(dst, privateGroup...)
}
