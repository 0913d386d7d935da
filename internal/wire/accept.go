package wire

// AppendAccept appends the daemon's acceptance (docs/protocol.md §4.6): 0x01, the daemon
// version (two or three bytes, as the client's version asks), the length of
// the private group name and the name.
func AppendAccept(dst []byte, withPatch bool, privateGroup string) []byte {
	dst = append(dst, AcceptSession, VersionMajor, VersionMinor)
	if withPatch {
		dst = append(dst, VersionPatch)
	}
	dst = append(dst, byte(len(privateGroup)))
	return append(dst, privateGroup...)
}
