package wire

// Hello is the client's first frame (docs/protocol.md §4.2).
type Hello struct {
	Major, Minor, Patch byte
	// Flags is the raw flags byte: membership + 16*priority.
	Flags byte
	Name  []byte // private name, 0..10 bytes as sent
}

// Version thresholds both sides apply, as VersionNumber computes them
// (docs/protocol.md §4.2, §4.3, §4.9).
const (
	// MinVersion is the oldest peer accepted: a daemon answers an older
	// client with REJECT_VERSION, and a client refuses an older daemon.
	MinVersion = 30100
	// PriorityVersion is the oldest daemon a client asks for a priority.
	PriorityVersion = 30800
	// PatchByteVersion: versions above it send a third version byte.
	PatchByteVersion = 31400
	// AuthVersion is the first client version that takes part in the auth
	// exchange.
	AuthVersion = 31600
)

// HasPatchByte reports whether a client or daemon of version major.minor
// sends the third version byte: only versions after 3.14 do (docs/protocol.md §4.2).
func HasPatchByte(major, minor byte) bool {
	return VersionNumber(major, minor, 0) > PatchByteVersion
}

// Version returns the version as the daemon compares it (see VersionNumber).
func (h *Hello) Version() int { return VersionNumber(h.Major, h.Minor, h.Patch) }

// VersionNumber is a version as both sides compare it:
// major*10000+minor*100+patch with every byte signed.
func VersionNumber(major, minor, patch byte) int {
	return int(int8(major))*10000 + int(int8(minor))*100 + int(int8(patch))
}

// Membership reports whether the client asked for membership messages. The
// daemon reads the flags byte as a signed char: odd values ask, so any byte
// of 0x80 and up means no (docs/protocol.md §4.2).
func (h *Hello) Membership() bool { return int8(h.Flags)%2 == 1 }

// Priority is the flags byte divided by 16, signed as the daemon reads it.
func (h *Hello) Priority() int { return int(int8(h.Flags)) / 16 }

// HelloFlags builds the flags byte libspread sends.
func HelloFlags(membership bool, priority int) byte {
	var f byte
	if membership {
		f = 1
	}
	if priority > 0 {
		f += 16
	}
	return f
}

// AppendHello appends a 4.4.0 client hello. The name must already be checked
// (at most MaxPrivateName bytes).
func AppendHello(dst []byte, flags byte, name string) []byte {
	dst = append(dst, VersionMajor, VersionMinor, VersionPatch, flags, byte(len(name)))
	return append(dst, name...)
}

// HelloPrefixLen is the length of a hello before its name: two version
// bytes, the patch byte for versions after 3.14, flags and the name length.
func HelloPrefixLen(major, minor byte) int {
	if HasPatchByte(major, minor) {
		return 5
	}
	return 4
}

// DecodeHello decodes the hello at the start of b field by field, as the
// daemon reads it (docs/protocol.md §4.3), and reports how many bytes it used; Name aliases b.
// Once b holds the part before the name, the version and flags are filled
// even when err is not nil: a length byte outside 0..MaxPrivateName (read
// signed) is a *FrameError whose Value is that length, and a b that ends
// inside the name is a *ShortError whose Need is the whole hello's length.
func DecodeHello(b []byte) (h Hello, n int, err error) {
	if len(b) < 2 {
		return h, 0, short("hello", 4, len(b))
	}
	h.Major, h.Minor = b[0], b[1]
	prefix := HelloPrefixLen(h.Major, h.Minor)
	if len(b) < prefix {
		return h, 0, short("hello", prefix, len(b))
	}
	if prefix == 5 {
		h.Patch = b[2]
	}
	h.Flags = b[prefix-2]
	nameLen := int(int8(b[prefix-1]))
	if nameLen < 0 || nameLen > MaxPrivateName {
		return h, 0, &FrameError{Frame: "hello", Field: "name length", Value: int64(nameLen), Limit: MaxPrivateName}
	}
	if len(b) < prefix+nameLen {
		return h, 0, short("hello", prefix+nameLen, len(b))
	}
	if nameLen > 0 {
		h.Name = b[prefix : prefix+nameLen]
	}
	return h, prefix + nameLen, nil
}
