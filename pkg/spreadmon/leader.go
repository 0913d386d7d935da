package spreadmon

// LeaderName names s's membership leader by the target at its address.
// The record names the leader by its IPv4 address alone, so when no
// target is at that address, or targets of different names are (two
// daemons on one host), it is the address.
func LeaderName(s *Status, targets []Target) string {
	addr := s.Leader()
	name := ""
	for _, t := range targets {
		switch {
		case t.Addr.Addr() != addr:
		case name == "":
			name = t.Name
		case name != t.Name:
			return addr.String()
		}
	}
	if name == "" {
		return addr.String()
	}
	return name
}
