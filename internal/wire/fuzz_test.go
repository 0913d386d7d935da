package wire_test

import (
	"encoding/binary"
	"github.com/spgo/spgo/internal/wire"
	"github.com/spgo/spgo/internal/wire/wiretest"
	"testing"
)

// FuzzDecodeHeader runs a frame through what both readers run: the header
// decoder, the length checks of each side and the frame classification.
func FuzzDecodeHeader(f *testing.F) {
	units, _ := messageUnits(f)
	for _, u := range units {
		if len(u) < 4096 {
			f.Add(u)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := wire.DecodeHeader(b)
		if err != nil {
			return
		}
		if h.Type&wire.EndianMarker != 0 {
			t.Fatalf("type 0x%x keeps the endian marker", h.Type)
		}
		for _, l := range []wire.Limits{wire.DaemonReadLimits, wire.ClientReadLimits} {
			rest, err := h.CheckLengths(l)
			if err != nil {
				continue
			}
			if rest < int(h.DataLen)+wire.MaxGroupName*int(h.NumGroups) || rest > l.MaxTotal+wire.OldTypeSize {
				t.Fatalf("rest %d for %+v within %+v", rest, h, l)
			}
		}
		svc, _, _ := h.Delivered(0)
		if h.Kind() == wire.KindReject && svc&wire.RejectMess == 0 {
			t.Fatalf("reject delivered as 0x%x", svc)
		}
	})
}

func FuzzDecodeMembershipBody(f *testing.F) {
	units, _ := messageUnits(f)
	for _, u := range units {
		m, _, err := wiretest.Decode(u, wire.ClientReadLimits)
		if err == nil && m.Type&wire.RegMembMess != 0 {
			f.Add(m.Body, false)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte, big bool) {
		var order binary.ByteOrder = binary.LittleEndian
		if big {
			order = binary.BigEndian
		}
		m, err := wire.DecodeMembershipBody(b, order)
		if err != nil {
			return
		}
		if len(m.VSSets) > 0 && (m.LocalVSSet < 0 || m.LocalVSSet >= len(m.VSSets)) {
			t.Fatalf("local set %d of %d", m.LocalVSSet, len(m.VSSets))
		}
	})
}

func FuzzDecodeHello(f *testing.F) {
	f.Add([]byte{4, 4, 0, 1, 5, 'a', 'l', 'i', 'c', 'e'})
	f.Add([]byte{3, 14, 1, 3, 'o', 'l', 'd'})
	f.Add([]byte{4, 4, 0, 1, 0x80})
	f.Fuzz(func(t *testing.T, b []byte) {
		h, n, err := wire.DecodeHello(b)
		if err == nil && (n > len(b) || len(h.Name) > wire.MaxPrivateName) {
			t.Fatalf("bad decode n=%d name=%q", n, h.Name)
		}
	})
}

func FuzzDecodeAuthChoice(f *testing.F) {
	c, _ := wire.AppendAuthChoice(nil, []string{"NULL"})
	f.Add(c)
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := wire.DecodeAuthChoice(b)
		if err == nil && len(m) > wire.AuthSlots {
			t.Fatalf("%d methods", len(m))
		}
	})
}
