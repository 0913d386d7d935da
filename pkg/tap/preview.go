package tap

import (
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
	for len(b) > 0 {
		c := b[0]
		if c < utf8.RuneSelf {
			out = appendASCII(out, c)
			b = b[1:]
			continue
		}
		r, n := utf8.DecodeRune(b)
		switch {
		case r == utf8.RuneError && n <= 1:
			out = append(out, '\\', 'x', hexDigits[c>>4], hexDigits[c&15])
		case strconv.IsPrint(r):
			out = utf8.AppendRune(out, r)
		default:
			q := strconv.QuoteRuneToASCII(r)
			out = append(out, q[1:len(q)-1]...)
		}
		b = b[n:]
	}
	if more {
		out = append(out, "..."...)
	}
	return out
}

const hexDigits = "0123456789abcdef"

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
