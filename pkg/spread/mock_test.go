package spread_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/spgo/spgo/internal/wire"
	"github.com/spgo/spgo/pkg/spread"
)

// A scripted mock daemon on net.Pipe. net.Pipe hands each Write to Reads
// without merging writes, so one Read returning a whole frame proves the
// client sent it with one write.

type mock struct {
	t *testing.T
	c net.Conn
}

// readOne reads whatever the client's next Write carried.
func (m *mock) readOne() ([]byte, error) {
	buf := make([]byte, 4096)
	_ = m.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, err := m.c.Read(buf)
	return buf[:n], err
}

// expectWrite checks that the client's next write is exactly want.
func (m *mock) expectWrite(want []byte) error {
	got, err := m.readOne()
	if err != nil {
		return fmt.Errorf("reading %x: %w", want, err)
	}
	if !bytes.Equal(got, want) {
		return fmt.Errorf("client wrote %x, want %x in one write", got, want)
	}
	return nil
}

// expectSilence checks that the client writes nothing for a while (it must
// wait for the daemon).
func (m *mock) expectSilence() error {
	_ = m.c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	var b [1]byte
	n, err := m.c.Read(b[:])
	_ = m.c.SetReadDeadline(time.Time{})
	if n > 0 {
		return fmt.Errorf("client wrote %x before the daemon answered", b[:n])
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return nil
	}
	return fmt.Errorf("expected silence, got %v", err)
}

func (m *mock) write(b ...byte) error {
	_ = m.c.SetWriteDeadline(time.Now().Add(5 * time.Second))
	_, err := m.c.Write(b)
	return err
}

var nullChoice, _ = wire.AppendAuthChoice(nil, []string{"NULL"})

// accept plays a normal handshake for a client named name.
func (m *mock) accept(name string, flags byte) error {
	if err := m.expectWrite(wire.AppendHello(nil, flags, name)); err != nil {
		return err
	}
	if err := m.expectSilence(); err != nil {
		return err
	}
	if err := m.write(wire.AppendAuthOffer(nil, []string{"NULL"})...); err != nil {
		return err
	}
	if err := m.expectWrite(nullChoice); err != nil {
		return err
	}
	return m.write(wire.AppendAccept(nil, true, "#"+name+"#mock")...)
}

// runMock connects a client to script over net.Pipe and returns the
// client's result and the script's.
func runMock(t *testing.T, script func(m *mock) error, opts ...spread.Option) (*spread.Mailbox, <-chan error, error) {
	t.Helper()
	cc, dc := net.Pipe()
	done := make(chan error, 1)
	go func() {
		defer dc.Close()
		done <- script(&mock{t: t, c: dc})
	}()
	opts = append([]spread.Option{
		spread.WithTimeout(5 * time.Second),
		spread.WithDialer(func(ctx context.Context, network, addr string) (net.Conn, error) { return cc, nil }),
	}, opts...)
	mb, err := spread.Connect("4803@mock", opts...)
	if mb != nil {
		t.Cleanup(func() { _ = mb.Disconnect() })
	}
	return mb, done, err
}

func TestHandshakeAccept(t *testing.T) {
	mb, done, err := runMock(t, func(m *mock) error {
		if err := m.accept("alice", 0x11); err != nil {
			return err
		}
		// Disconnect: one KILL_MESS, then close.
		h := wire.Header{Type: wire.KillMess, Sender: wire.MakeName("#alice#mock"), NumGroups: 1, Hint: wire.EndianMarker}
		kill := wire.AppendHeader(nil, &h)
		kill = append(kill, h.Sender[:]...)
		if err := m.expectWrite(kill); err != nil {
			return err
		}
		if _, err := m.readOne(); err != io.EOF {
			return fmt.Errorf("after KILL: %v, want EOF", err)
		}
		return nil
	}, spread.WithName("alice"), spread.WithPriority(1))
	if err != nil {
		t.Fatal(err)
	}
	if mb.PrivateGroup() != "#alice#mock" {
		t.Fatalf("PrivateGroup = %q", mb.PrivateGroup())
	}
	if err := mb.Disconnect(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestHandshakeRejectCodes(t *testing.T) {
	for _, tc := range []struct {
		b        byte
		sentinel error
	}{
		{0xfd, spread.ErrRejectQuota}, {0xfb, spread.ErrRejectIllegalName}, {0xfa, spread.ErrRejectNotUnique},
		{0xf9, spread.ErrRejectVersion}, {0xf7, spread.ErrRejectAuth}, {0xfc, spread.ErrRejectNoName},
	} {
		t.Run(fmt.Sprintf("%02x", tc.b), func(t *testing.T) {
			_, done, err := runMock(t, func(m *mock) error {
				if err := m.expectWrite(wire.AppendHello(nil, 1, "bob")); err != nil {
					return err
				}
				return m.write(tc.b)
			}, spread.WithName("bob"))
			var se *spread.Error
			if !errors.Is(err, tc.sentinel) || !errors.As(err, &se) || se.Code != int(int8(tc.b)) || se.Daemon != "4803@mock" {
				t.Fatalf("Connect = %v, want %v", err, tc.sentinel)
			}
			if tc.b == 0xfa && !strings.Contains(se.Detail, `private name "bob" is in use`) {
				t.Fatalf("Connect = %v, want it to name the private name in use", err)
			}
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		})
	}
}

// Each failing handshake branch: the client returns the given error and
// never hangs.
func TestHandshakeFailures(t *testing.T) {
	offer := func(m *mock, methods ...string) error {
		if err := m.expectWrite(wire.AppendHello(nil, 1, "bob")); err != nil {
			return err
		}
		return m.write(wire.AppendAuthOffer(nil, methods)...)
	}
	acceptWith := func(m *mock, tail ...byte) error {
		if err := offer(m, "NULL"); err != nil {
			return err
		}
		if err := m.expectWrite(nullChoice); err != nil {
			return err
		}
		// The client may stop reading (and close) before the whole tail.
		if err := m.write(tail...); err != nil && !errors.Is(err, io.ErrClosedPipe) {
			return err
		}
		return nil
	}
	for _, tc := range []struct {
		name   string
		want   error
		script func(m *mock) error
		opts   []spread.Option
	}{
		{"only IP offered", spread.ErrRejectAuth, func(m *mock) error {
			if err := offer(m, "IP"); err != nil {
				return err
			}
			// libspread closes without sending a choice.
			if b, err := m.readOne(); err != io.EOF {
				return fmt.Errorf("client sent %x / %v after an offer without NULL", b, err)
			}
			return nil
		}, nil},
		{"empty offer", spread.ErrRejectAuth, func(m *mock) error { return offer(m) }, nil},
		{"auth refused after choice", spread.ErrRejectAuth, func(m *mock) error { return acceptWith(m, 0xf7) }, nil},
		{"offer too long", spread.ErrConnectionClosed, func(m *mock) error {
			if err := m.expectWrite(wire.AppendHello(nil, 1, "bob")); err != nil {
				return err
			}
			return m.write(91)
		}, nil},
		{"close before offer", spread.ErrConnectionClosed, func(m *mock) error {
			return m.expectWrite(wire.AppendHello(nil, 1, "bob"))
		}, nil},
		{"close mid offer", spread.ErrConnectionClosed, func(m *mock) error {
			if err := m.expectWrite(wire.AppendHello(nil, 1, "bob")); err != nil {
				return err
			}
			return m.write(5, 'N', 'U')
		}, nil},
		{"close mid name", spread.ErrConnectionClosed, func(m *mock) error {
			return acceptWith(m, 1, 4, 4, 0, 9, '#', 'b', 'o')
		}, nil},
		{"odd accept byte", spread.ErrConnectionClosed, func(m *mock) error { return acceptWith(m, 5) }, nil},
		{"old daemon", spread.ErrRejectVersion, func(m *mock) error { return acceptWith(m, 1, 3, 0, 0, 9) }, nil},
		{"priority needs 3.8", spread.ErrRejectVersion, func(m *mock) error {
			if err := m.expectWrite(wire.AppendHello(nil, 0x11, "bob")); err != nil {
				return err
			}
			if err := m.write(wire.AppendAuthOffer(nil, []string{"NULL"})...); err != nil {
				return err
			}
			if err := m.expectWrite(nullChoice); err != nil {
				return err
			}
			if err := m.write(1, 3, 7, 0, 9); err != nil && !errors.Is(err, io.ErrClosedPipe) {
				return err
			}
			return nil
		}, []spread.Option{spread.WithPriority(1)}},
		{"empty private group", spread.ErrConnectionClosed, func(m *mock) error { return acceptWith(m, 1, 4, 4, 0, 0) }, nil},
		{"private group too long", spread.ErrConnectionClosed, func(m *mock) error { return acceptWith(m, 1, 4, 4, 0, 40) }, nil},
		{"malformed private group", spread.ErrConnectionClosed, func(m *mock) error {
			return acceptWith(m, 1, 4, 4, 0, 3, 'b', 'o', 'b')
		}, nil},
		{"silent daemon", spread.ErrConnectionClosed, func(m *mock) error {
			if err := m.expectWrite(wire.AppendHello(nil, 1, "bob")); err != nil {
				return err
			}
			_, err := m.readOne() // blocks until the client gives up
			if err != io.EOF {
				return fmt.Errorf("want the client to close, got %v", err)
			}
			return nil
		}, []spread.Option{spread.WithTimeout(200 * time.Millisecond)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := append([]spread.Option{spread.WithName("bob")}, tc.opts...)
			mb, done, err := runMock(t, tc.script, opts...)
			if mb != nil || !errors.Is(err, tc.want) {
				t.Fatalf("Connect = %v, %v; want %v", mb, err, tc.want)
			}
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestHandshakeTimeoutWrapsDeadline(t *testing.T) {
	_, done, err := runMock(t, func(m *mock) error {
		_, _ = m.readOne()
		_, err := m.readOne()
		if err != io.EOF {
			return fmt.Errorf("want EOF, got %v", err)
		}
		return nil
	}, spread.WithTimeout(100*time.Millisecond))
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, spread.ErrConnectionClosed) {
		t.Fatalf("Connect = %v", err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// tokenAuth is a custom method with its own exchange after the choice.
type tokenAuth struct{ token string }

func (tokenAuth) Name() string { return "TOKEN" }
func (a tokenAuth) Authenticate(_ context.Context, c net.Conn) error {
	_, err := c.Write([]byte(a.token))
	return err
}

func TestHandshakeCustomAuth(t *testing.T) {
	mb, done, err := runMock(t, func(m *mock) error {
		if err := m.expectWrite(wire.AppendHello(nil, 1, "")); err != nil {
			return err
		}
		if err := m.write(wire.AppendAuthOffer(nil, []string{"NULL", "TOKEN"})...); err != nil {
			return err
		}
		choice, _ := wire.AppendAuthChoice(nil, []string{"TOKEN", "NULL"})
		if err := m.expectWrite(choice); err != nil {
			return err
		}
		if err := m.expectWrite([]byte("s3cret")); err != nil {
			return err
		}
		return m.write(wire.AppendAccept(nil, true, "#r42-7#mock")...)
	}, spread.WithAuth(tokenAuth{"s3cret"}, spread.NullAuth{}))
	if err != nil {
		t.Fatal(err)
	}
	if mb.PrivateGroup() != "#r42-7#mock" {
		t.Fatalf("PrivateGroup = %q", mb.PrivateGroup())
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// Option errors are reported before dialing.
func TestConnectOptionErrors(t *testing.T) {
	dialed := false
	dial := spread.WithDialer(func(ctx context.Context, network, addr string) (net.Conn, error) {
		dialed = true
		return nil, errors.New("no")
	})
	for _, tc := range []struct {
		opt  spread.Option
		want error
	}{
		{spread.WithName("abcdefghijk"), spread.ErrRejectIllegalName},
		{spread.WithName("a b"), spread.ErrRejectIllegalName},
		{spread.WithName("#x"), spread.ErrRejectIllegalName},
		{spread.WithAuth(), spread.ErrRejectAuth},
		{spread.WithGroupLimit(101), spread.ErrIllegalMessage},
	} {
		if _, err := spread.Connect("4803", tc.opt, dial); !errors.Is(err, tc.want) {
			t.Errorf("Connect = %v, want %v", err, tc.want)
		}
	}
	if dialed {
		t.Fatal("dialed despite a bad option")
	}
	if _, err := spread.Connect("4803", dial); !errors.Is(err, spread.ErrCouldNotConnect) {
		t.Fatalf("dial failure: %v", err)
	}
}
