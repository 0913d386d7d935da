package capture

import (
	"bytes"
	"testing"
)

func TestReadAllCaptures(t *testing.T) {
	files, err := All(Dir())
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 48 {
		t.Fatalf("read %d captures, want 48", len(files))
	}
	for _, f := range files {
		if len(f.Events) == 0 {
			t.Errorf("%s: no events", f.Name)
		}
	}
}

func TestExpandTokens(t *testing.T) {
	got, err := expand([]string{"0102", "ff*3", "PAT*4"})
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{1, 2, 0xff, 0xff, 0xff, 0, 1, 2, 3}
	if !bytes.Equal(got, want) {
		t.Fatalf("expand = %x, want %x", got, want)
	}
	for _, bad := range []string{"zz", "ff*x", "fff*2"} {
		if _, err := expand([]string{bad}); err == nil {
			t.Errorf("expand(%q) accepted bad token", bad)
		}
	}
}

func TestMaxLengthCaptureExpands(t *testing.T) {
	f, err := Read(Dir() + "/20_max_length_message.txt")
	if err != nil {
		t.Fatal(err)
	}
	var biggest int
	for _, ev := range f.Events {
		if len(ev.Payload) > biggest {
			biggest = len(ev.Payload)
		}
	}
	if want := 48 + 32 + 143119; biggest != want {
		t.Fatalf("largest unit is %d bytes, want %d", biggest, want)
	}
}

// The monitor capture holds UDP datagrams, not connections: they are read
// with their addresses and kept out of Conns and Units.
func TestMonitorCaptureDatagrams(t *testing.T) {
	f, err := Read(Dir() + "/39_monitor_status.txt")
	if err != nil {
		t.Fatal(err)
	}
	if c := f.Conns(); len(c) != 0 {
		t.Fatalf("Conns = %q, want none", c)
	}
	queries, replies := 0, 0
	for _, d := range f.Datagrams() {
		switch {
		case d.Dir == MonitorToDaemon && d.Conn == "spmon":
			queries++
			if len(d.Payload) != 40 || d.Src == "" || d.Dst == "" {
				t.Errorf("line %d: spmonitor query of %d bytes from %q to %q", d.Line, len(d.Payload), d.Src, d.Dst)
			}
		case d.Dir == DaemonToMonitor:
			replies++
			if len(d.Payload) != 136 || d.Payload[32] != 96 {
				t.Errorf("line %d: reply of %d bytes, data_len byte %d", d.Line, len(d.Payload), d.Payload[32])
			}
		}
	}
	if queries != 6 || replies < 6 {
		t.Fatalf("%d spmonitor queries and %d replies, want 6 and at least 6", queries, replies)
	}
}

func TestBadDatagramLines(t *testing.T) {
	for _, l := range []string{
		"P UDP M>D 1.2.3.4:5 6.7.8.9:10",
		"P UDP X>Y 1.2.3.4:5 6.7.8.9:10 00",
		"P UDP M>D 1.2.3.4:5 6.7.8.9:10 zz",
	} {
		if _, err := parseLine(l); err == nil {
			t.Errorf("parseLine(%q) accepted", l)
		}
	}
}
