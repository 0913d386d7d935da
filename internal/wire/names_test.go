package wire_test

import (
	"strings"
	"testing"

	"github.com/spgo/spgo/internal/wire"
)

// The rule a name error states is LegalNameByte's: every printable byte it
// refuses is named as refused, and the range it allows is the one checked.
// Regression: the text said "printable ASCII without space and '#'", which
// calls '!' and '"' allowed while the check refuses them.
func TestNameErrorStatesTheCheckedRule(t *testing.T) {
	for b := byte(0x20); b < 0x7f; b++ {
		name := []byte{'a', b, 'z'}
		err := wire.CheckGroupName(name)
		if wire.LegalNameByte(b) {
			if err != nil {
				t.Errorf("%q refused: %v", name, err)
			}
			continue
		}
		if err == nil {
			t.Fatalf("%q accepted, but LegalNameByte(%#x) is false", name, b)
		}
		msg := err.Error()
		if !strings.Contains(msg, "(0x24..0x7e: printable ASCII except space, '!', '\"' and '#')") {
			t.Errorf("%q: %s: want the allowed range and the printable bytes it leaves out", name, msg)
		}
	}
	if wire.LegalNameByte('$'-1) || !wire.LegalNameByte('$') || !wire.LegalNameByte('~') || wire.LegalNameByte('~'+1) {
		t.Error("LegalNameByte is not '$'..'~'")
	}
}
