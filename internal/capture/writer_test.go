package capture

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// What Writer writes, Read reads back as the same events.
func TestWriterRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	w.Comment("two lines\nof comment")
	w.Open("A")
	w.Unit("A", ClientToDaemon, []byte{4, 4, 0, 1, 1, 'a'})
	w.Unit("A", DaemonToClient, []byte{0xfa})
	w.Close("A", "D")
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "01_x.txt")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Events) != 4 || f.Events[0].Kind != Open || f.Events[3].Kind != Close || f.Events[3].By != "D" ||
		!bytes.Equal(f.Units("A", ClientToDaemon)[0], []byte{4, 4, 0, 1, 1, 'a'}) ||
		!bytes.Equal(f.Units("A", DaemonToClient)[0], []byte{0xfa}) || len(f.Events[0].Notes) != 2 {
		t.Fatalf("read back %+v", f.Events)
	}
}

func TestLabel(t *testing.T) {
	for n, want := range map[int]string{1: "A", 26: "Z", 27: "AA", 52: "AZ", 53: "BA", 703: "AAA"} {
		if got := Label(n); got != want {
			t.Errorf("Label(%d) = %q, want %q", n, got, want)
		}
	}
}
