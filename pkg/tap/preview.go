package tap

import (
	"encoding/binary"
	"slices"
	"strconv"
	"unicode/utf8"
)

// PreviewLen is how many payload bytes a Frame's Preview shows.
const PreviewLen = 48

// preview is the start of a payload as text a terminal shows safely:
// printable UTF-8 as is, control bytes and invalid UTF-8 as Go escapes
// (\n, \x00, \u2028), and "..." when the payload is longer.
func preview(b []byte) string {
	// Built on the stack: only the string is allocated.
	var room [4*PreviewLen + 3]byte
	return string(appendPreview(room[:0], b))
}

// appendPreview appends preview's text of b to out.
func appendPreview(out, b []byte) []byte {
	more := len(b) > PreviewLen
	if more {
		b = b[:PreviewLen]
	}
	// No byte takes more than four: a byte that is a character alone
	// (ASCII, or one that cannot start a UTF-8 sequence) is written by
	// copying its escape's four bytes into room made beforehand.
	out = slices.Grow(out, 4*len(b)+len("..."))
	for len(b) > 0 {
		if len(b) >= 8 && binary.LittleEndian.Uint64(b) == 0 {
			// Zero padding, frequent in binary payloads, eight at once.
			out = append(out, zeros8...)
			b = b[8:]
			continue
		}
		if e := &byteEscapes[b[0]]; e.n > 0 {
			end := len(out)
			out = out[:end+4]
			*(*[4]byte)(out[end:]) = e.b
			out = out[:end+int(e.n)]
			b = b[1:]
			continue
		}
		var n int
		out, n = appendRune(out, b)
		b = b[n:]
	}
	if more {
		out = append(out, "..."...)
	}
	return out
}

// appendRune appends the rune at the start of b, whose first byte can
// start a UTF-8 sequence, and returns how many bytes of b it took.
func appendRune(out, b []byte) ([]byte, int) {
	c := b[0]
	r, n := utf8.DecodeRune(b)
	switch {
	case r == utf8.RuneError && n <= 1:
		return append(out, '\\', 'x', hexDigits[c>>4], hexDigits[c&15]), 1
	case strconv.IsPrint(r):
		return utf8.AppendRune(out, r), n
	}
	q := strconv.QuoteRuneToASCII(r)
	return append(out, q[1:len(q)-1]...), n
}

// byteEscapes holds, for each byte that is a character alone, how the
// preview writes it: ASCII as appendASCII does, a byte that cannot start a
// UTF-8 sequence as \xNN. The bytes that can start one have n 0.
var byteEscapes = func() (t [256]struct {
	n uint8
	b [4]byte
}) {
	for c := range t {
		switch {
		case c < utf8.RuneSelf:
			t[c].n = uint8(copy(t[c].b[:], appendASCII(nil, byte(c))))
		case c < 0xc2 || c > 0xf4:
			t[c].n = uint8(copy(t[c].b[:], []byte{'\\', 'x', hexDigits[c>>4], hexDigits[c&15]}))
		}
	}
	return t
}()

const hexDigits = "0123456789abcdef"

// zeros8 is how a preview shows eight zero bytes.
const zeros8 = `\x00\x00\x00\x00\x00\x00\x00\x00`

// appendASCII appends an ASCII byte as Go would write it in a string:
// printable ones as they are, the rest escaped.
func appendASCII(out []byte, c byte) []byte {
	switch {
	case c == '\\':
		return append(out, '\\', '\\')
	case c >= 0x20 && c < 0x7f:
		return append(out, c)
	case c == '\n':
		return append(out, '\\', 'n')
	case c == '\t':
		return append(out, '\\', 't')
	case c == '\r':
		return append(out, '\\', 'r')
	}
	return append(out, '\\', 'x', hexDigits[c>>4], hexDigits[c&15])
}

// hexUint writes v in lower-case hex.
func hexUint(v uint32) string { return strconv.FormatUint(uint64(v), 16) }
