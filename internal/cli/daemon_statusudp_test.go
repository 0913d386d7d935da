package cli

import (
	"bytes"
	"errors"
	"log/slog"
	"net"
	"strings"
	"testing"

	"github.com/spgo/spgo/pkg/daemon"
	"github.com/spgo/spgo/pkg/daemon/spreadtest"
)

// TestMonitorUDPCloseReports: a socket that fails to close is an error
// from close and a line in the log, not dropped.
func TestMonitorUDPCloseReports(t *testing.T) {
	d := spreadtest.Run(t)
	var log bytes.Buffer
	m, err := startMonitorUDP([]*daemon.Daemon{d}, nil, slog.New(slog.NewTextHandler(&log, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.close(); err != nil {
		t.Fatalf("first close: %v", err)
	}
	if strings.Contains(log.String(), "closing the monitor status socket") {
		t.Fatalf("a clean close logged:\n%s", log.String())
	}
	err = m.close() // the sockets are closed already
	if !errors.Is(err, net.ErrClosed) || !strings.Contains(log.String(), "level=WARN msg=\"closing the monitor status socket\" udp="+d.TCPAddr().String()) {
		t.Fatalf("second close: %v\n%s", err, log.String())
	}
}
