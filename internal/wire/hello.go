package wire

import (
	"bytes"
	"io"
)

// Hello is the client's first frame (docs/protocol.md §4.2).
type Hello struct {
	Major, Minor, Patch byte
	// Flags is the raw flags byte: membership + 16*priority.
	Flags byte
	Name  []byte // private name, 0..10 bytes as sent
}

// HasPatchByte reports whether a client or daemon of version major.minor
// sends the third version byte: only versions after 3.14 do (docs/protocol.md §4.2).
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
// of 0x80 and up means no (docs/protocol.md §4.2).
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

// ReadHello reads a hello field by field, as the daemon does (docs/protocol.md §4.3): two
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
