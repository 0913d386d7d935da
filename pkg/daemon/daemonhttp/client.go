package daemonhttp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// maxStatusBytes bounds the /status document FetchStatus reads: a ring
// with a thousand sessions is well under it, a runaway server is cut off.
const maxStatusBytes = 64 << 20

// StatusURL makes the address of a daemon's HTTP face the URL of its
// /status: "HOST:PORT" gains "http://", a URL without a path (or ending
// in "/") gains "/status"; a URL with another path is kept.
func StatusURL(s string) string {
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	if i := strings.Index(s[strings.Index(s, "://")+3:], "/"); i < 0 || strings.HasSuffix(s, "/") {
		s = strings.TrimSuffix(s, "/") + "/status"
	}
	return s
}

// Reasons FetchStatus fails for; its *FetchError matches one of them with
// errors.Is.
var (
	// ErrBadURL: the URL cannot make a request.
	ErrBadURL = errors.New("invalid status URL")
	// ErrUnreachable: no answer (refused, unknown host, timed out).
	ErrUnreachable = errors.New("daemon unreachable")
	// ErrCutOff: the connection broke while the document was read.
	ErrCutOff = errors.New("status cut off")
	// ErrHTTPStatus: the server answered with a status other than 200.
	ErrHTTPStatus = errors.New("HTTP status not OK")
	// ErrNotStatus: the answer is not a /status document.
	ErrNotStatus = errors.New("not an spgo daemon's /status")
)

// FetchError is FetchStatus's error: the URL, the reason (one of the
// Err* above) and the cause.
type FetchError struct {
	URL    string
	Reason error  // ErrBadURL, ErrUnreachable, ErrCutOff, ErrHTTPStatus or ErrNotStatus
	Status string // the HTTP status line, for ErrHTTPStatus
	Err    error  // the cause from net/http or encoding/json; nil for ErrHTTPStatus
}

// Error says what went wrong with which URL, on one line.
func (e *FetchError) Error() string {
	switch e.Reason {
	case ErrBadURL:
		return fmt.Sprintf("invalid status URL %q: %v", e.URL, e.Err)
	case ErrHTTPStatus:
		return fmt.Sprintf("reading %s: %s", e.URL, e.Status)
	case ErrNotStatus:
		return fmt.Sprintf("%s is not an spgo daemon's /status: %v", e.URL, e.Err)
	case ErrUnreachable:
		return fmt.Sprintf("%s did not answer: %s", e.URL, unreachableCause(e.Err))
	}
	return fmt.Sprintf("reading %s: %v", e.URL, e.Err)
}

// unreachableCause is why a request got no answer, without the method, URL
// and address net/http and net put before it ("connect: connection
// refused", "lookup nosuch: no such host"), which the message names once.
func unreachableCause(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Op == "dial" && oe.Err != nil {
		err = oe.Err
	}
	return err.Error()
}

// Unwrap gives the reason and the cause to errors.Is and errors.As.
func (e *FetchError) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Reason}
	}
	return []error{e.Reason, e.Err}
}

// FetchStatus reads the /status document of an spgo daemon at url (see
// StatusURL) with client (nil: http.DefaultClient, which has no timeout).
// Every error is a *FetchError.
func FetchStatus(ctx context.Context, client *http.Client, url string) (*StatusReport, error) {
	if client == nil {
		client = http.DefaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, &FetchError{URL: url, Reason: ErrBadURL, Err: err}
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, &FetchError{URL: url, Reason: ErrUnreachable, Err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxStatusBytes))
	if err != nil {
		return nil, &FetchError{URL: url, Reason: ErrCutOff, Err: err}
	}
	if resp.StatusCode != http.StatusOK {
		return nil, &FetchError{URL: url, Reason: ErrHTTPStatus, Status: resp.Status}
	}
	var rep StatusReport
	if err := json.Unmarshal(body, &rep); err != nil {
		return nil, &FetchError{URL: url, Reason: ErrNotStatus, Err: err}
	}
	return &rep, nil
}
