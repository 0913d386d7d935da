package monwire

import (
	"encoding/binary"
	"testing"
)

// FuzzDecodeReply: any datagram decodes or fails cleanly, never reads past
// it, and a decoded full record encodes back to its bytes.
func FuzzDecodeReply(f *testing.F) {
	st := Status{Sec: 5, State: 1, GState: 1, NumProcs: 3, MajorVersion: 4, MinorVersion: 4}
	for _, o := range []ByteOrder{binary.LittleEndian, binary.BigEndian} {
		h := Header{Type: StatusType, ProcID: 0x7f000001, DataLen: StatusSize}
		f.Add(AppendStatus(AppendHeader(nil, &h, o), &st, o))
		f.Add(AppendQuery(nil, Query{ProcID: 0x7f000001, ReplyPort: 6543}, o))
	}
	f.Add([]byte{0x80, 0, 0, 0x81})
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := DecodeReply(b)
		if err != nil {
			return
		}
		if r.Known > len(fields) || r.Extra < 0 {
			t.Fatalf("known %d extra %d", r.Known, r.Extra)
		}
		_ = r.Problems(len(b))
		if len(b) == ReplySize {
			o, _ := OrderOf(b)
			again := AppendStatus(AppendHeader(nil, &r.Header, o), &r.Status, o)
			if string(again[4:]) != string(b[4:]) {
				t.Fatalf("re-encoded differs")
			}
		}
		h, _, _ := DecodeHeader(b)
		_ = QueryProblem(h, len(b), 0)
	})
}
