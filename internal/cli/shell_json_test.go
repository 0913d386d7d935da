package cli

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// jsonKeys returns the top-level keys of a JSON object in their order.
func jsonKeys(t *testing.T, line string) []string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(line))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not a JSON object: %q", line)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
	}
	return keys
}

// With -o json every line of the shell, its own reports as well as the
// events, has "kind" first and then its fields in one fixed order.
func TestShellJSONKeyOrder(t *testing.T) {
	sess := newFakeSession("#me#d1")
	f, io := testFactory(t, sess)
	io.in.WriteString("async\nd\nj g1\nr\nb g2 4 1\np\ng\ne\np\nq\n")
	err := connectRun(context.Background(), &ConnectOptions{Factory: f, Conn: ConnOptions{Server: "4803"}, Output: OutputJSON})
	if err != nil {
		t.Fatal(err, io.err.String())
	}
	want := map[string][]string{
		"connected":  {"kind", "server", "private_group"},
		"async":      {"kind", "async"},
		"sent":       {"kind", "messages", "size", "groups"},
		"poll":       {"kind", "async", "messages", "bytes"},
		"groups":     {"kind", "groups"},
		"bye":        {"kind"},
		"membership": {"kind", "cause", "group", "group_id", "members", "changed", "vs_sets", "local_vs_set"},
	}
	var kinds []string
	for _, line := range strings.Split(strings.TrimSuffix(io.out.String(), "\n"), "\n") {
		var obj struct{ Kind string }
		if err := json.Unmarshal([]byte(line), &obj); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		kinds = append(kinds, obj.Kind)
		if keys := jsonKeys(t, line); !slices.Equal(keys, want[obj.Kind]) {
			t.Errorf("%s line has keys %q, want %q: %s", obj.Kind, keys, want[obj.Kind], line)
		}
	}
	wantKinds := []string{"connected", "async", "membership", "sent", "poll", "groups", "poll", "bye"}
	if !slices.Equal(kinds, wantKinds) {
		t.Errorf("kinds %q, want %q", kinds, wantKinds)
	}
	for _, line := range []string{
		`{"kind":"connected","server":"4803","private_group":"#me#d1"}`,
		`{"kind":"async","async":true}`,
		`{"kind":"sent","messages":1,"size":4,"groups":["g2"]}`,
		`{"kind":"poll","async":false,"messages":0,"bytes":0}`,
		`{"kind":"groups","groups":["g1"]}`,
		`{"kind":"poll","async":true,"messages":0,"bytes":0}`,
	} {
		if !strings.Contains(io.out.String(), line+"\n") {
			t.Errorf("no line %s in:\n%s", line, io.out.String())
		}
	}
}
