package capture

import (
	"bytes"
	"path/filepath"
	"testing"
)

// The time word of a recorded membership is found and masked; other
// units have none.
func TestMaskTime(t *testing.T) {
	f, err := Read(filepath.Join(Dir(), "11_join_second_client.txt"))
	if err != nil {
		t.Fatal(err)
	}
	d := f.Units("A", DaemonToClient)
	memb := append([]byte(nil), d[4]...) // A's own join
	if w, ok := TimeWord(memb); !ok || w != 1795598131 {
		t.Fatalf("TimeWord = %d, %v; the capture says 1795598131", w, ok)
	}
	MaskTime(memb)
	if w, _ := TimeWord(memb); w != 0 || bytes.Equal(memb, d[4]) {
		t.Fatal("MaskTime left the time word")
	}
	if _, ok := TimeOffset(d[0]); ok {
		t.Fatal("an auth offer has a time word")
	}
}

// Renames replace whole name fields only; EqualClientUnit leaves out what
// follows a NUL in a group field, if ours is zero.
func TestRenamesAndClientUnits(t *testing.T) {
	f, err := Read(filepath.Join(Dir(), "11_join_second_client.txt"))
	if err != nil {
		t.Fatal(err)
	}
	kill := f.Units("B", ClientToDaemon)[3] // KILL with garbage after the name
	renamed := Renames{"#bob#localhost": "#bob#d1"}.Apply(kill)
	if bytes.Equal(renamed, kill) || !bytes.Contains(renamed, []byte("#bob#d1\x00")) || bytes.Contains(renamed, []byte("#bob#localhost")) {
		t.Fatalf("renamed %x", renamed)
	}
	clean := append([]byte(nil), kill...)
	clear(clean[48+len("#bob#localhost") : 80])
	if !EqualClientUnit(clean, kill) {
		t.Fatal("a KILL with a clean group field differs from the recorded one")
	}
	if EqualClientUnit(kill, clean) {
		t.Fatal("garbage after the NUL accepted from the client under test")
	}
}
