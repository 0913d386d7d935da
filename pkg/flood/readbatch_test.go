package flood

import (
	"testing"

	"github.com/spgo/spgo/pkg/spread"
)

func TestReadBatchChoice(t *testing.T) {
	frame := spread.FrameSize(1, DefaultSize)
	for _, tc := range []struct {
		name string
		cfg  Config
		want int
	}{
		{"default", Config{}, DefaultReadBatch},
		{"capped by the flag", Config{ReadBatch: 8192}, 8192},
		{"a quarter of a small window", Config{Window: 40}, 40 * frame / 4},
		{"several senders fill more", Config{Window: 40, Senders: 3}, 3 * 40 * frame / 4},
		{"no flow control", Config{Window: -1}, DefaultReadBatch},
		{"a window too small to batch", Config{Window: 4}, 0},
		{"off", Config{ReadBatch: -1}, 0},
		{"paced", Config{Rate: 1000}, 0},
		{"round trips", Config{RTTEvery: 100}, 0},
		{"read-only", Config{Mode: ModeReadOnly, Services: []spread.ServiceType{spread.AgreedMess}}, 0},
	} {
		cfg, err := tc.cfg.SettingsWithDefaults()
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		b := cfg.readBatch()
		if b.Bytes != tc.want || (b.Bytes > 0) != (b.Wait > 0) {
			t.Errorf("%s: read batch %+v, want %d bytes", tc.name, b, tc.want)
		}
	}
}

func TestReadBatchRefusesBelowOff(t *testing.T) {
	if _, err := (Config{ReadBatch: -2}).SettingsWithDefaults(); err == nil {
		t.Fatal("ReadBatch -2 was accepted")
	}
}
