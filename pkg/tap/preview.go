package tap

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// PreviewLen is how many payload bytes a Frame's Preview shows.
const PreviewLen = 48

// preview is the start of a payload as text a terminal shows safely:
// printable UTF-8 as is, control bytes and invalid UTF-8 as Go escapes
// (\n, \x00, \u2028), and "..." when the payload is longer.
func preview(b []byte) string {
	more := len(b) > PreviewLen
	if more {
		b = b[:PreviewLen]
	}
	var sb strings.Builder
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		switch {
		case r == utf8.RuneError && n <= 1:
			sb.WriteString(`\x` + strconv.FormatUint(uint64(b[0])|0x100, 16)[1:])
		case r == '\\':
			sb.WriteString(`\\`)
		case strconv.IsPrint(r):
			sb.WriteRune(r)
		default:
			q := strconv.QuoteRuneToASCII(r)
			sb.WriteString(q[1 : len(q)-1])
		}
		b = b[n:]
	}
	if more {
		sb.WriteString("...")
	}
	return sb.String()
}

// hexUint writes v in lower-case hex.
func hexUint(v uint32) string { return strconv.FormatUint(uint64(v), 16) }
