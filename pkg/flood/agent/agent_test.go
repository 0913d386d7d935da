package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/spgo/spgo/pkg/spread"
)

// rawCoordinator speaks the control protocol by hand, to send what a
// Coordinator never sends.
type rawCoordinator struct {
	t       *testing.T
	mb      *spread.Mailbox
	version string
}

func newRawCoordinator(t *testing.T, server string) *rawCoordinator {
	mb, err := spread.Connect(server)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mb.Disconnect() })
	return &rawCoordinator{t: t, mb: mb, version: buildVersion()}
}

func (rc *rawCoordinator) send(to string, m Message) {
	rc.t.Helper()
	if m.Proto == 0 {
		m.Proto = ProtocolVersion
	}
	if m.Version == "" {
		m.Version = rc.version
	}
	b, err := json.Marshal(m)
	if err != nil {
		rc.t.Fatal(err)
	}
	if err := rc.mb.Multicast(spread.AgreedMess, to, b, MsgType); err != nil {
		rc.t.Fatal(err)
	}
}

// next returns the next control message of kind for run.
func (rc *rawCoordinator) next(kind Kind, run string) Message {
	rc.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testWait)
	defer cancel()
	for {
		msg, err := rc.mb.ReceiveContext(ctx)
		if err != nil {
			rc.t.Fatalf("waiting for a %s of run %s: %v", kind, run, err)
		}
		if rm, ok := msg.(*spread.RegularMessage); ok {
			if m, ok := Decode(rm); ok && m.Kind == kind && m.Run == run {
				return m
			}
		}
	}
}

// An agent refuses a plan of another protocol or spgo version, a plan it
// cannot carry out, and a second plan while it runs one, each with a
// one-line error and the reason; an abort ends the run in progress.
func TestAgentRefusesAndAborts(t *testing.T) {
	server := newDaemon(t)
	a := startAgent(t, server, Agent{Host: "host-a"})
	rc := newRawCoordinator(t, server)
	rc.send(DefaultControlGroup, Message{Kind: KindProbe, Run: "probe"})
	if h := rc.next(KindHello, "probe"); h.Host != "host-a" || h.Daemon != server || h.Busy != "" || h.Version != rc.version {
		t.Errorf("hello %+v", h)
	}
	refusals := []struct {
		m       Message
		refused Refusal
		says    string
	}{
		{Message{Kind: KindPlan, Run: "old", Version: "v0.0.1", Plan: &Plan{Service: "fifo", Group: "g", Count: 10, Size: 100, Receivers: 1}},
			RefusedVersion, fmt.Sprintf("the coordinator is v0.0.1 (protocol %d): run the same spgo on every host", ProtocolVersion)},
		{Message{Kind: KindPlan, Run: "proto", Proto: ProtocolVersion + 1, Plan: &Plan{Service: "fifo", Group: "g", Count: 10, Size: 100, Receivers: 1}},
			RefusedVersion, fmt.Sprintf("(protocol %d): run the same spgo on every host", ProtocolVersion+1)},
		{Message{Kind: KindPlan, Run: "bad", Plan: &Plan{Service: "ordered", Group: "g", Count: 10, Size: 100, Receivers: 1}},
			RefusedPlan, "cannot carry out the plan: flood: unknown service type \"ordered\""},
		{Message{Kind: KindPlan, Run: "empty"}, RefusedPlan, "a plan message without a plan"},
	}
	for _, r := range refusals {
		rc.send(a.name, r.m)
		got := rc.next(KindResult, r.m.Run)
		if got.Refused != r.refused || !strings.Contains(got.Error, r.says) || strings.Contains(got.Error, "\n") || got.Result != nil {
			t.Errorf("run %s: refused %q, error %q; want %q saying %q", r.m.Run, got.Refused, got.Error, r.refused, r.says)
		}
		if e := a.await(t, EventRefused); e.Run != r.m.Run || e.Err == nil {
			t.Errorf("event %+v", e)
		}
	}
	// A read-only run with a long stall keeps the agent busy until aborted.
	rc.send(a.name, Message{Kind: KindPlan, Run: "first",
		Plan: &Plan{Service: "fifo", Group: "g", Count: 10, Size: 100, Receivers: 1, RemoteSenders: 1, Stall: time.Hour}})
	if e := a.await(t, EventRunStarted); e.Run != "first" || e.Plan.Receivers != 1 {
		t.Errorf("event %+v", e)
	}
	rc.next(KindReady, "first")
	rc.send(DefaultControlGroup, Message{Kind: KindProbe, Run: "probe2"})
	if h := rc.next(KindHello, "probe2"); h.Busy != "first" {
		t.Errorf("hello while busy: %+v", h)
	}
	rc.send(a.name, Message{Kind: KindPlan, Run: "second", Plan: &Plan{Service: "fifo", Group: "g2", Count: 10, Size: 100, Receivers: 1}})
	if r := rc.next(KindResult, "second"); r.Refused != RefusedBusy || !strings.Contains(r.Error, "is busy with run first of another coordinator") {
		t.Errorf("second coordinator: %+v", r)
	}
	rc.send(a.name, Message{Kind: KindAbort, Run: "first"})
	r := rc.next(KindResult, "first")
	if r.Error != "" || r.Result == nil || !r.Result.Partial || r.Shipment == nil {
		t.Fatalf("aborted run: error %q result %+v", r.Error, r.Result)
	}
	if e := a.await(t, EventRunDone); e.Run != "first" || e.Err != nil {
		t.Errorf("event %+v", e)
	}
}

// Decode takes control messages only.
func TestDecode(t *testing.T) {
	ok := []byte(`{"kind":"probe","proto":1,"version":"v1","run":"r"}`)
	for _, c := range []struct {
		msgType int16
		data    []byte
		want    bool
	}{{MsgType, ok, true}, {1, ok, false}, {MsgType, []byte("{"), false}, {MsgType, []byte(`{"proto":1}`), false}} {
		m, got := Decode(&spread.RegularMessage{MsgType: c.msgType, Data: c.data})
		if got != c.want || (got && (m.Kind != KindProbe || m.Run != "r" || m.Version != "v1")) {
			t.Errorf("Decode(%d, %s) = %+v, %v", c.msgType, c.data, m, got)
		}
	}
}
