package spread

import (
	"errors"
	"strings"
	"testing"
)

func TestServiceNamesRoundTrip(t *testing.T) {
	names := ServiceNames()
	want := []string{"unreliable", "reliable", "fifo", "causal", "agreed", "safe"}
	if len(names) != len(want) {
		t.Fatalf("ServiceNames() = %q, want %q", names, want)
	}
	for i, s := range DataServices() {
		if names[i] != want[i] {
			t.Fatalf("ServiceNames()[%d] = %q, want %q", i, names[i], want[i])
		}
		got, ok := ServiceByName(" " + want[i] + " ")
		if !ok || got != s {
			t.Fatalf("ServiceByName(%q) = %v, %v; want %v", want[i], got, ok, s)
		}
	}
	if got, ok := ServiceByName("AGREED"); !ok || got != AgreedMess {
		t.Fatalf("ServiceByName(AGREED) = %v, %v", got, ok)
	}
	if (AgreedMess | SelfDiscard).ShortName() != "agreed" {
		t.Fatalf("ShortName of AGREED|SELF_DISCARD = %q", (AgreedMess | SelfDiscard).ShortName())
	}
	for _, bad := range []ServiceType{0, AgreedMess | SafeMess, RegMembMess} {
		if n := bad.ShortName(); n != "" {
			t.Fatalf("%v.ShortName() = %q, want empty", bad, n)
		}
	}
	if _, ok := ServiceByName("agreed_mess"); ok {
		t.Fatal("ServiceByName accepted agreed_mess")
	}
}

func TestNameRules(t *testing.T) {
	if err := CheckGroupName("ok$~name"); err != nil {
		t.Fatalf("CheckGroupName(legal) = %v", err)
	}
	var se *Error
	if err := CheckGroupName("a b"); !errors.As(err, &se) || se.Code != IllegalGroup || !strings.Contains(se.Detail, "at offset 1") {
		t.Fatalf("CheckGroupName(\"a b\") = %v, want IllegalGroup naming offset 1", err)
	}
	if err := CheckDestination("#alice#d1"); err != nil {
		t.Fatalf("CheckDestination(private group) = %v", err)
	}
	if err := CheckPrivateName("elevenchars"); !errors.As(err, &se) || se.Code != RejectIllegalName {
		t.Fatalf("CheckPrivateName(11 bytes) = %v, want RejectIllegalName", err)
	}
	if !IsPrivateGroupName("#alice#d1") || IsPrivateGroupName("#alice") || IsPrivateGroupName("#elevenchars#d") {
		t.Fatal("IsPrivateGroupName misjudges")
	}
}
