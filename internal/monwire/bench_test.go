package monwire

import (
	"encoding/binary"
	"testing"
)

func BenchmarkDecodeReply(b *testing.B) {
	st := Status{Sec: 5, State: 1, GState: 1, NumProcs: 3, MajorVersion: 4, MinorVersion: 4}
	h := Header{Type: StatusType, ProcID: 0x7f000001, DataLen: StatusSize}
	buf := AppendStatus(AppendHeader(nil, &h, binary.LittleEndian), &st, binary.LittleEndian)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeReply(buf); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppendQuery(b *testing.B) {
	buf := make([]byte, 0, HeaderSize)
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendQuery(buf[:0], Query{ProcID: 0x7f000001, ReplyPort: 6543}, binary.LittleEndian)
	}
}
