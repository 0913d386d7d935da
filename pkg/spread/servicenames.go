package spread

import "strings"

// dataServices are the six data service types, weakest first.
var dataServices = [...]ServiceType{UnreliableMess, ReliableMess, FIFOMess, CausalMess, AgreedMess, SafeMess}

// DataServices returns the six data service types, weakest first.
func DataServices() []ServiceType {
	out := dataServices
	return out[:]
}

// ServiceNames returns the short names of the data service types, weakest
// first: "unreliable", "reliable", "fifo", "causal", "agreed", "safe".
func ServiceNames() []string {
	out := make([]string, len(dataServices))
	for i, s := range dataServices {
		out[i] = s.ShortName()
	}
	return out
}

// ShortName is the short name of the one data service bit in s ("agreed"
// for AgreedMess|SelfDiscard), or "" when s has no single data service bit.
func (s ServiceType) ShortName() string {
	svc := s & RegularMess
	if svc == 0 || svc&(svc-1) != 0 {
		return ""
	}
	return strings.ToLower(strings.TrimSuffix(svc.String(), "_MESS"))
}

// ServiceByName returns the data service type a short name stands for, in
// any case and ignoring surrounding space; ok is false for any other name.
func ServiceByName(name string) (s ServiceType, ok bool) {
	name = strings.ToLower(strings.TrimSpace(name))
	for _, s := range dataServices {
		if s.ShortName() == name {
			return s, true
		}
	}
	return 0, false
}
