package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spgo/spgo/pkg/spread"
)

// spreadConnect dials a daemon with pkg/spread.
func spreadConnect(ctx context.Context, req ConnectRequest) (Session, error) {
	m, err := spread.ConnectContext(ctx, req.Server,
		spread.WithName(req.User),
		spread.WithMembership(req.Membership),
		spread.WithTimeout(req.Timeout))
	if err != nil {
		return nil, spreadErr(err)
	}
	return &spreadSession{m: m}, nil
}

// spreadSession adapts *spread.Mailbox to Session.
type spreadSession struct {
	m *spread.Mailbox
}

func (s *spreadSession) PrivateGroup() string { return s.m.PrivateGroup() }
func (s *spreadSession) Join(g string) error  { return spreadErr(s.m.Join(g)) }
func (s *spreadSession) Leave(g string) error { return spreadErr(s.m.Leave(g)) }
func (s *spreadSession) Flush() error         { return spreadErr(s.m.Flush()) }
func (s *spreadSession) Disconnect() error    { return spreadErr(s.m.Disconnect()) }

func (s *spreadSession) Poll() (int, error) {
	n, err := s.m.Poll()
	return n, spreadErr(err)
}

func (s *spreadSession) Send(service string, selfDiscard bool, groups []string, data []byte, msgType int16) error {
	st, ok := spread.ServiceByName(service)
	if !ok {
		return fmt.Errorf("service %q: allowed are %s", service, strings.Join(serviceNames, ", "))
	}
	if selfDiscard {
		st |= spread.SelfDiscard
	}
	return spreadErr(s.m.MulticastGroups(st, groups, data, msgType))
}

func (s *spreadSession) Receive(ctx context.Context) (*event, error) {
	msg, err := s.m.ReceiveContext(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if errors.Is(err, spread.ErrIllegalMessage) {
			// A frame with an undecodable body is skipped and the mailbox
			// goes on; an undecodable header kills it, and then Poll
			// reports the failure too.
			if _, perr := s.m.Poll(); perr != nil {
				return nil, connectionLost(fmt.Errorf("the session cannot go on: %w", spreadErr(err)))
			}
			return nil, fmt.Errorf("%w: %w", errSkipped, spreadErr(err))
		}
		return nil, spreadErr(err)
	}
	return eventOf(msg), nil
}

// serviceName is the short upper-case name of a data service type.
func serviceName(st spread.ServiceType) string {
	if name := st.ShortName(); name != "" {
		return strings.ToUpper(name)
	}
	return fmt.Sprintf("0x%x", uint32(st&spread.RegularMess))
}

// eventOf converts a received message to the printers' event.
func eventOf(msg spread.Message) *event {
	switch m := msg.(type) {
	case *spread.RegularMessage:
		return &event{Kind: KindMessage, Service: serviceName(m.Service), SelfDiscard: m.Service&spread.SelfDiscard != 0,
			Sender: m.Sender, Groups: m.Groups, MsgType: m.MsgType, EndianMismatch: m.EndianMismatch, Data: m.Data}
	case *spread.MembershipMessage:
		return &event{Kind: KindMembership, Cause: m.Cause.String(), Group: m.Group,
			GroupID: groupID{ProcID: m.GroupID.ProcID, Time: m.GroupID.Time, Index: m.GroupID.Index},
			Members: m.Members, Changed: m.Changed, VSSets: m.VSSets, LocalVSSet: m.LocalVSSet}
	case *spread.RejectMessage:
		svc := serviceName(m.OldType)
		switch {
		case m.OldType&spread.CausedByJoin != 0:
			svc = "JOIN"
		case m.OldType&spread.CausedByLeave != 0:
			svc = "LEAVE"
		}
		return &event{Kind: KindReject, Service: svc, SelfDiscard: m.OldType&spread.SelfDiscard != 0,
			Sender: m.Sender, Groups: m.Groups, MsgType: m.MsgType, EndianMismatch: m.EndianMismatch, Data: m.Data}
	}
	return &event{Kind: "unknown", Service: fmt.Sprintf("0x%x", uint32(msg.ServiceType()))}
}

// sessionError is a pkg/spread error told the way spgo prints errors:
// Spread's text and code, then what exactly was wrong, without the
// package prefix.
type sessionError struct {
	err *spread.Error
}

func (e *sessionError) Error() string {
	s := fmt.Sprintf("%s (%d)", e.err.Text(), e.err.Code)
	if e.err.Detail != "" {
		s += ": " + e.err.Detail
	}
	if e.err.Err != nil {
		s += ": " + e.err.Err.Error()
	}
	return s
}

func (e *sessionError) Unwrap() error { return e.err }

func spreadErr(err error) error {
	var se *spread.Error
	if err == nil || !errors.As(err, &se) {
		return err
	}
	return &sessionError{err: se}
}
