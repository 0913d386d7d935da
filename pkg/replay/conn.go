package replay

import (
	"errors"
	"net"
	"os"
	"time"

	"github.com/spgo/spgo/pkg/tap"
)

// writeTimeout bounds a write to a peer that does not read.
const writeTimeout = 10 * time.Second

// errTimeout is a wait for a frame that ran out of time.
var errTimeout = errors.New("nothing came in time")

// liveConn is one connection Client plays: the bytes it reads cut into
// frames, and the recorded conversation decoded alongside.
type liveConn struct {
	label     string
	c         net.Conn
	live      *tap.Conversation // what travels on c
	recorded  *tap.Conversation // the recording's units, for showing them
	frames    []tap.Frame       // read, not yet compared
	ended     bool              // the daemon closed
	endErr    error
	buf       []byte
	helloName string // the name the client asked for
	closed    bool   // closed by us (the recording's client)
}

func newLiveConn(label string, id int, c net.Conn) *liveConn {
	return &liveConn{label: label, c: c, live: tap.NewConversation(id), recorded: tap.NewConversation(id), buf: make([]byte, 256<<10)}
}

// next returns the next frame from the daemon; at the daemon's close, a
// nil frame and the read's error; errTimeout when deadline passed first.
func (lc *liveConn) next(deadline time.Time) (*tap.Frame, error) {
	for len(lc.frames) == 0 {
		if lc.ended {
			return nil, lc.endErr
		}
		_ = lc.c.SetReadDeadline(deadline)
		n, err := lc.c.Read(lc.buf)
		if n > 0 {
			lc.frames = append(lc.frames, lc.live.Feed(tap.DaemonToClient, lc.buf[:n], time.Now())...)
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return nil, errTimeout
		}
		if err != nil {
			lc.ended, lc.endErr = true, err
			if f := lc.live.End(tap.DaemonToClient, time.Now()); f != nil {
				lc.frames = append(lc.frames, *f)
			}
		}
	}
	f := lc.frames[0]
	lc.frames = lc.frames[1:]
	return &f, nil
}

// write sends b as the client.
func (lc *liveConn) write(b []byte) error {
	for _, f := range lc.live.Feed(tap.ClientToDaemon, b, time.Now()) {
		if f.Kind == tap.KindConnect {
			lc.helloName = f.Name
		}
	}
	_ = lc.c.SetWriteDeadline(time.Now().Add(writeTimeout))
	_, err := lc.c.Write(b)
	return err
}
