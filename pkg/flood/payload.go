package flood

import "encoding/binary"

// PayloadHeader is the size of what every flood message starts with:
// sender index (uint32), sequence number (uint32) and the send time in
// Unix nanoseconds (int64), little endian. The rest is zero filler.
//
// The send time is the sender's flood clock (the wall clock at the flood's
// start, advanced by the monotonic clock). Inside one process that is the
// receivers' clock too; across machines one-way latency is only as good as
// the wall clocks' synchronisation (NTP/PTP).
const PayloadHeader = 16

// Message types: flood messages, and the echoes of round-trip samples
// (Config.RTTEvery), which carry the header of the message they answer.
const (
	floodType int16 = 1
	echoType  int16 = 2
	ackType   int16 = 3 // a receiver's acknowledgement, for a remote sender's window
)

// sampled reports whether the message with sequence number seq is a
// round-trip sample when every rttEvery-th is.
func sampled(seq uint32, rttEvery int) bool {
	return rttEvery > 0 && seq%uint32(rttEvery) == 0
}

// samplesIn is how many of the first n messages are samples.
func samplesIn(n uint32, rttEvery int) int64 {
	if rttEvery <= 0 || n == 0 {
		return 0
	}
	return int64((n-1)/uint32(rttEvery)) + 1
}

func putHeader(b []byte, sender, seq uint32, sentNanos int64) {
	binary.LittleEndian.PutUint32(b[0:], sender)
	binary.LittleEndian.PutUint32(b[4:], seq)
	binary.LittleEndian.PutUint64(b[8:], uint64(sentNanos))
}

// readHeader decodes a payload header; ok is false for a short payload.
func readHeader(b []byte) (sender, seq uint32, sentNanos int64, ok bool) {
	if len(b) < PayloadHeader {
		return 0, 0, 0, false
	}
	return binary.LittleEndian.Uint32(b[0:]), binary.LittleEndian.Uint32(b[4:]),
		int64(binary.LittleEndian.Uint64(b[8:])), true
}
