// Package wire encodes and decodes the frames of Spread 4.x's client protocol.
//
// It is shared by the client (pkg/spread) and the embedded daemon (pkg/daemon),
// so both sides agree on every byte. The layouts are those of
// docs/protocol.md; section numbers in comments refer to it.
//
// Conventions:
//   - Encoders are append-style: AppendX(dst, ...) returns dst extended by the
//     frame, so hot paths can reuse one buffer and allocate nothing.
//   - Decoders check every length before using it and return a *FrameError
//     (never panic, never allocate from an unchecked length).
//   - spgo always writes little-endian frames with the 0x80000080 marker, as
//     every x86 daemon and libspread do; decoders read both byte orders.
package wire
