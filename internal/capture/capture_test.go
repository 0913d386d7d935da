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
	if len(files) != 38 {
		t.Fatalf("read %d captures, want 38", len(files))
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
