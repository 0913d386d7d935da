package capture

import (
	"bytes"
	"encoding/binary"

	"github.com/spgo/spgo/internal/wire"
)

// What a daemon legitimately chooses, and so what a comparison of its
// answers with a recording leaves out (docs/protocol.md §18;
// testdata/captures/README.md, "What is fixed and what varies between
// runs"): the group-id time of membership bodies, and private names.

// TimeOffset is where the group-id time word of a membership or
// transitional membership unit is (docs/protocol.md §7.2, §7.3); false for
// any other unit.
func TimeOffset(unit []byte) (int, bool) {
	if len(unit) < wire.HeaderSize {
		return 0, false
	}
	h, err := wire.DecodeHeader(unit)
	if err != nil || h.Type&(wire.RegMembMess|wire.TransitionMess) == 0 || h.Type&wire.RejectMess != 0 || h.NumGroups < 0 {
		return 0, false
	}
	off := wire.HeaderSize + wire.MaxGroupName*int(h.NumGroups) + 4
	if off+4 > len(unit) {
		return 0, false
	}
	return off, true
}

// TimeWord is the group-id time of a membership unit, as the daemon wrote
// it (little-endian).
func TimeWord(unit []byte) (uint32, bool) {
	off, ok := TimeOffset(unit)
	if !ok {
		return 0, false
	}
	return binary.LittleEndian.Uint32(unit[off:]), true
}

// MaskTime zeroes the group-id time of a membership unit in place.
func MaskTime(unit []byte) {
	if off, ok := TimeOffset(unit); ok {
		clear(unit[off : off+4])
	}
}

// Renames maps private groups as a recording has them to those a daemon
// chose in their place.
type Renames map[string]string

// Apply replaces every recorded name by its new one in the 32-byte name
// fields of b (a name followed by NUL), returning b or a changed copy.
func (r Renames) Apply(b []byte) []byte {
	for old, ours := range r {
		pat := append([]byte(old), 0)
		for {
			i := bytes.Index(b, pat)
			if i < 0 {
				break
			}
			b = append([]byte(nil), b...)
			end := min(i+wire.MaxGroupName, len(b))
			clear(b[i:end])
			copy(b[i:end], ours)
		}
	}
	return b
}

// EqualClientUnit compares a unit a client sent with the recorded one. In
// message frames, the bytes after the first NUL of each group field are
// not compared (libspread leaves stack garbage there, e.g. in KILL_MESS)
// but must be zero in got.
func EqualClientUnit(got, want []byte) bool {
	if bytes.Equal(got, want) {
		return true
	}
	if len(got) != len(want) || len(want) < wire.HeaderSize || !bytes.Equal(got[:wire.HeaderSize], want[:wire.HeaderSize]) {
		return false
	}
	h, err := wire.DecodeHeader(want)
	if err != nil || h.NumGroups < 0 || wire.HeaderSize+wire.MaxGroupName*int(h.NumGroups) > len(want) {
		return false
	}
	end := wire.HeaderSize + wire.MaxGroupName*int(h.NumGroups)
	if !bytes.Equal(got[end:], want[end:]) {
		return false
	}
	for f := wire.HeaderSize; f < end; f += wire.MaxGroupName {
		w, g := want[f:f+wire.MaxGroupName], got[f:f+wire.MaxGroupName]
		k := bytes.IndexByte(w, 0)
		if k < 0 || !bytes.Equal(g[:k+1], w[:k+1]) || !allZero(g[k+1:]) {
			return false
		}
	}
	return true
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
