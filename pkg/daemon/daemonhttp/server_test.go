package daemonhttp_test

import (
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/spgo/spgo/pkg/daemon"
	"github.com/spgo/spgo/pkg/daemon/daemonhttp"
	"github.com/spgo/spgo/pkg/daemon/spreadtest"
	"github.com/spgo/spgo/pkg/spread"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// traffic connects a and b to d, joins both to g and has b send one
// AGREED message that a and b receive; it returns once both have it.
func traffic(t *testing.T, server string) {
	t.Helper()
	a, err := spread.Connect(server, spread.WithName("a"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Disconnect() })
	b, err := spread.Connect(server, spread.WithName("b"), spread.WithMembership(false))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Disconnect() })
	if err := a.Join("g"); err != nil {
		t.Fatal(err)
	}
	if err := b.Join("g"); err != nil {
		t.Fatal(err)
	}
	for { // a sees both joins before b's message
		m, err := a.Receive()
		if err != nil {
			t.Fatal(err)
		}
		if mm, ok := m.(*spread.MembershipMessage); ok && len(mm.Members) == 2 {
			break
		}
	}
	if err := b.Multicast(spread.AgreedMess, "g", []byte("hello"), 1); err != nil {
		t.Fatal(err)
	}
	for _, mb := range []*spread.Mailbox{a, b} {
		if _, err := mb.Receive(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestEndpointsSingleDaemon(t *testing.T) {
	d := spreadtest.Run(t, spreadtest.WithName("d1"))
	s := daemonhttp.New(daemonhttp.Options{Nodes: func() []*daemon.Daemon { return []*daemon.Daemon{d} }, Version: "v9.9.9"})
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	traffic(t, d.SpreadName())

	if code, body := get(t, ts.URL+"/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("healthz %d %q", code, body)
	}

	code, body := get(t, ts.URL+"/metrics")
	if code != 200 {
		t.Fatalf("metrics %d", code)
	}
	for _, want := range []string{
		`spgo_daemon_up{node="d1"} 1`,
		`spgo_daemon_sessions{node="d1"} 2`,
		`spgo_daemon_groups{node="d1"} 1`,
		`spgo_daemon_messages_in_total{node="d1",service="agreed"} 1`,
		`spgo_daemon_messages_out_total{node="d1",service="agreed"} 2`,
		`spgo_daemon_in_bytes_total{node="d1",service="agreed"} 85`, // 48 header + 32 group + 5 payload
		`spgo_daemon_out_bytes_total{node="d1",service="agreed"} 170`,
		`spgo_daemon_messages_in_total{node="d1",service="safe"} 0`,
		`spgo_daemon_queued_messages{node="d1"} `,
		`spgo_daemon_slow_consumer_kills_total{node="d1"} 0`,
		`spgo_daemon_handshake_rejections_total{node="d1",reason="REJECT_NOT_UNIQUE"} 0`,
		`spgo_daemon_sessions_accepted_total{node="d1"} 2`,
		`spgo_build_info{version="v9.9.9"} 1`,
		`# TYPE spgo_daemon_messages_in_total counter`,
		`go_goroutines `,
	} {
		if !strings.Contains(body, "\n"+want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if !regexp.MustCompile(`\nspgo_daemon_uptime_seconds\{node="d1"\} [0-9.e+-]+\n`).MatchString(body) {
		t.Error("no uptime")
	}

	code, body = get(t, ts.URL+"/status")
	var r daemonhttp.StatusReport
	if err := json.Unmarshal([]byte(body), &r); code != 200 || err != nil {
		t.Fatalf("status %d %v: %s", code, err, body)
	}
	if r.Version != "v9.9.9" || len(r.Nodes) != 1 {
		t.Fatalf("report %+v", r)
	}
	n := r.Nodes[0]
	if n.Name != "d1" || !n.Up || len(n.Sessions) != 2 || len(n.Groups) != 1 || strings.Join(n.Daemons, ",") != "d1" {
		t.Fatalf("node %+v", n)
	}
	sa, sb := n.Sessions[0], n.Sessions[1]
	if sa.Name != "#a#d1" || sb.Name != "#b#d1" || strings.Join(sa.Groups, ",") != "g" || !sa.Membership || sb.Membership {
		t.Errorf("sessions %+v", n.Sessions)
	}
	if _, _, err := net.SplitHostPort(sa.Remote); err != nil || sa.BytesIn == 0 || sa.BytesOut == 0 {
		t.Errorf("session a %+v", sa)
	}
	if g := n.Groups[0]; g.Name != "g" || strings.Join(g.Members, ",") != "#a#d1,#b#d1" {
		t.Errorf("group %+v", g)
	}
	if len(n.Services) != 6 || n.Services[4].Service != "agreed" || n.Services[4].MessagesIn != 1 || n.Services[4].MessagesOut != 2 {
		t.Errorf("services %+v", n.Services)
	}
	if n.Rejections["REJECT_QUOTA"] != 0 || len(n.Rejections) != 5 {
		t.Errorf("rejections %v", n.Rejections)
	}

	s.SetStopping()
	if code, body := get(t, ts.URL+"/healthz"); code != 503 || body != "stopping\n" {
		t.Errorf("healthz while stopping: %d %q", code, body)
	}
	if code, _ := get(t, ts.URL+"/nope"); code != 404 {
		t.Errorf("unknown path: %d", code)
	}
}

// TestEndpointsRing: every node of a ring is its own series and status
// entry; a crashed node is up 0 and out of the others' membership, and
// its status says how long it has been down instead of an uptime.
func TestEndpointsRing(t *testing.T) {
	r := spreadtest.Ring(t, 3)
	s := daemonhttp.New(daemonhttp.Options{Nodes: r.Nodes})
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	nodes := r.Nodes()
	traffic(t, nodes[0].SpreadName())
	crashing := time.Now()
	if err := r.Crash("d3"); err != nil {
		t.Fatal(err)
	}
	_, body := get(t, ts.URL+"/metrics")
	for _, want := range []string{
		`spgo_daemon_up{node="d1"} 1`, `spgo_daemon_up{node="d2"} 1`, `spgo_daemon_up{node="d3"} 0`,
		`spgo_daemon_membership_daemons{node="d1"} 2`,
		`spgo_daemon_sessions{node="d1"} 2`, `spgo_daemon_sessions{node="d2"} 0`,
		`spgo_daemon_messages_in_total{node="d1",service="agreed"} 1`,
		`spgo_daemon_messages_in_total{node="d2",service="agreed"} 0`,
	} {
		if !strings.Contains(body, "\n"+want+"\n") {
			t.Errorf("metrics lack %q", want)
		}
	}
	_, body = get(t, ts.URL+"/status")
	var rep daemonhttp.StatusReport
	if err := json.Unmarshal([]byte(body), &rep); err != nil || len(rep.Nodes) != 3 {
		t.Fatalf("status %v: %s", err, body)
	}
	if d2 := rep.Nodes[1]; d2.Name != "d2" || strings.Join(d2.Daemons, ",") != "d1,d2" || len(d2.Groups) != 1 || len(d2.Groups[0].Members) != 2 {
		t.Errorf("d2 %+v", d2)
	}
	if d3 := rep.Nodes[2]; d3.Up || len(d3.Daemons) != 0 || d3.DownSeconds <= 0 || d3.DownSeconds > time.Since(crashing).Seconds() {
		t.Errorf("crashed d3 %+v", d3)
	}
	var raw struct{ Nodes []map[string]any }
	if err := json.Unmarshal([]byte(body), &raw); err != nil {
		t.Fatal(err)
	}
	for i, n := range raw.Nodes {
		_, uptime := n["uptime_seconds"]
		_, down := n["down_seconds"]
		if up := i < 2; uptime != up || down == up {
			t.Errorf("node %v: uptime_seconds %v, down_seconds %v: want one, as it is up or down", n["name"], uptime, down)
		}
	}
}

// TestStatusFrozenNode: a frozen node is up, frozen, and says for how
// long; the others have no frozen field and no longer count it in their
// membership, while it still has the membership it had.
func TestStatusFrozenNode(t *testing.T) {
	r := spreadtest.Ring(t, 3)
	s := daemonhttp.New(daemonhttp.Options{Nodes: r.Nodes})
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	freezing := time.Now()
	if err := r.Freeze("d2"); err != nil {
		t.Fatal(err)
	}
	_, body := get(t, ts.URL+"/status")
	var rep daemonhttp.StatusReport
	if err := json.Unmarshal([]byte(body), &rep); err != nil || len(rep.Nodes) != 3 {
		t.Fatalf("status %v: %s", err, body)
	}
	if d2 := rep.Nodes[1]; !d2.Up || !d2.Frozen || d2.FrozenSeconds <= 0 || d2.FrozenSeconds > time.Since(freezing).Seconds() ||
		strings.Join(d2.Daemons, ",") != "d1,d2,d3" {
		t.Errorf("frozen d2 %+v", d2)
	}
	if d1 := rep.Nodes[0]; d1.Frozen || strings.Join(d1.Daemons, ",") != "d1,d3" {
		t.Errorf("d1 %+v", d1)
	}
	var raw struct{ Nodes []map[string]any }
	if err := json.Unmarshal([]byte(body), &raw); err != nil {
		t.Fatal(err)
	}
	for i, n := range raw.Nodes {
		_, frozen := n["frozen"]
		_, secs := n["frozen_seconds"]
		if want := i == 1; frozen != want || secs != want {
			t.Errorf("node %v: frozen %v, frozen_seconds %v: want both only for the frozen node", n["name"], frozen, secs)
		}
	}
	if err := r.Thaw("d2"); err != nil {
		t.Fatal(err)
	}
	_, body = get(t, ts.URL+"/status")
	if strings.Contains(body, "frozen") {
		t.Errorf("after the thaw, status still says frozen: %s", body)
	}
}

func TestListenAddr(t *testing.T) {
	for in, want := range map[string]string{
		"9100": "127.0.0.1:9100", ":9100": "127.0.0.1:9100", "0.0.0.0:9100": "0.0.0.0:9100",
		"localhost:0": "localhost:0", "[::1]:9100": "[::1]:9100",
	} {
		if got, err := daemonhttp.ListenAddr(in); err != nil || got != want {
			t.Errorf("ListenAddr(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "host", "h:p", ":99999"} {
		if _, err := daemonhttp.ListenAddr(bad); err == nil {
			t.Errorf("ListenAddr(%q) accepted", bad)
		}
	}
}

func TestListenPortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, err = daemonhttp.Listen(ln.Addr().String())
	if !errors.Is(err, daemonhttp.ErrAddress) || !strings.Contains(err.Error(), "address already in use") {
		t.Fatalf("err %v", err)
	}
}
