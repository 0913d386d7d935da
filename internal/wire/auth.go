package wire

import "bytes"

// AppendAuthOffer appends the daemon's method offer (docs/protocol.md §4.4): a length byte,
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
// slots up to the first empty one, as the daemon does (docs/protocol.md §4.4).
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
