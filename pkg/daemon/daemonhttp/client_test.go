package daemonhttp_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/spgo/spgo/pkg/daemon"
	"github.com/spgo/spgo/pkg/daemon/daemonhttp"
	"github.com/spgo/spgo/pkg/daemon/spreadtest"
)

func TestStatusURL(t *testing.T) {
	for in, want := range map[string]string{
		"127.0.0.1:9464":                "http://127.0.0.1:9464/status",
		"http://127.0.0.1:9464":         "http://127.0.0.1:9464/status",
		"http://127.0.0.1:9464/":        "http://127.0.0.1:9464/status",
		"https://h:1/status":            "https://h:1/status",
		"http://h:1/proxied/daemon/one": "http://h:1/proxied/daemon/one",
		"http://h:1/spgo/":              "http://h:1/spgo/status",
	} {
		if got := daemonhttp.StatusURL(in); got != want {
			t.Errorf("StatusURL(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestFetchStatus reads what the server serves: the same nodes, sessions
// and groups.
func TestFetchStatus(t *testing.T) {
	d := spreadtest.Run(t, spreadtest.WithName("d1"))
	s := daemonhttp.New(daemonhttp.Options{Nodes: func() []*daemon.Daemon { return []*daemon.Daemon{d} }, Version: "v1.2.3"})
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	traffic(t, d.SpreadName())
	rep, err := daemonhttp.FetchStatus(context.Background(), ts.Client(), daemonhttp.StatusURL(ts.URL))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Version != "v1.2.3" || len(rep.Nodes) != 1 {
		t.Fatalf("report %+v", rep)
	}
	if n := rep.Nodes[0]; n.Name != "d1" || !n.Up || len(n.Sessions) != 2 || len(n.Groups) != 1 || n.Groups[0].Name != "g" {
		t.Errorf("node %+v", n)
	}
}

func TestFetchStatusErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/status":
			w.Write([]byte("<html>a proxy's page</html>"))
		case "/cut":
			w.Header().Set("Content-Length", "1000")
			w.Write([]byte(`{"version":`))
			w.(http.Flusher).Flush()
			panic(http.ErrAbortHandler) // the server drops the connection mid-body
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + closed.Addr().String() + "/status"
	closed.Close()

	cases := []struct {
		url    string
		reason error
		msg    string
	}{
		{srv.URL + "/status", daemonhttp.ErrNotStatus, srv.URL + "/status is not an spgo daemon's /status: invalid character '<'"},
		{srv.URL + "/nope", daemonhttp.ErrHTTPStatus, "reading " + srv.URL + "/nope: 404 Not Found"},
		{srv.URL + "/cut", daemonhttp.ErrCutOff, "reading " + srv.URL + "/cut: unexpected EOF"},
		{refused, daemonhttp.ErrUnreachable, refused + " did not answer: connect: connection refused"},
		{"http://[::1", daemonhttp.ErrBadURL, `invalid status URL "http://[::1": parse`},
	}
	for _, c := range cases {
		rep, err := daemonhttp.FetchStatus(context.Background(), srv.Client(), c.url)
		var fe *daemonhttp.FetchError
		if rep != nil || !errors.Is(err, c.reason) || !errors.As(err, &fe) || fe.URL != c.url || !strings.HasPrefix(err.Error(), c.msg) {
			t.Errorf("%s: %v, %v; want %v starting %q", c.url, rep, err, c.reason, c.msg)
		}
	}
}

// TestFetchStatusCancelled: a cancelled context stops the request.
func TestFetchStatusCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	_, err := daemonhttp.FetchStatus(ctx, nil, srv.URL+"/status")
	if !errors.Is(err, daemonhttp.ErrUnreachable) || !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v", err)
	}
}
