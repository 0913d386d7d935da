package cli

import (
	"io"
	"net"
	"net/http"
	"os"
	"strconv"

	"github.com/rogpeppe/go-internal/testscript"
)

// cmdFreeport: `freeport VAR` sets $VAR to a TCP port on 127.0.0.1 that
// was free a moment ago (for --http and --port of a background daemon).
func cmdFreeport(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 || neg {
		ts.Fatalf("usage: freeport VAR")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	ts.Setenv(args[0], strconv.Itoa(port))
}

// cmdHTTPGet: `httpget URL FILE [STATUS]` fetches URL once (scripts wait
// for the daemon's ready file, written after its HTTP port is open), writes
// the body to FILE and checks the status code (default 200).
func cmdHTTPGet(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 || len(args) > 3 || neg {
		ts.Fatalf("usage: httpget URL FILE [STATUS]")
	}
	want := http.StatusOK
	if len(args) == 3 {
		var err error
		want, err = strconv.Atoi(args[2])
		ts.Check(err)
	}
	resp, err := http.Get(args[0])
	if err != nil {
		ts.Fatalf("httpget %s: %v", args[0], err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	ts.Check(err)
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), body, 0o644))
	if resp.StatusCode != want {
		ts.Fatalf("httpget %s: status %d, want %d: %s", args[0], resp.StatusCode, want, body)
	}
}

// cmdExpand: `expand IN OUT` writes IN with $VARS expanded to OUT (a
// spread.conf naming a port chosen by freeport).
func cmdExpand(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 || neg {
		ts.Fatalf("usage: expand IN OUT")
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), []byte(os.Expand(ts.ReadFile(args[0]), ts.Getenv)), 0o644))
}
