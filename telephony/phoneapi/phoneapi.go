package phoneapi

import (
	"context"
	"fmt"

	"github.com/ringo-phone/ringo/telephony"
	"github.com/ringo-phone/ringo/telephony/bus"
	"github.com/ringo-phone/ringo/telephony/qcop"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

// Control channel and its messages.
const (
	// ControlChannel is where phoned takes requests.
	ControlChannel = "QPE/Phoned"
	// MsgDial asks phoned to place a call: replyChannel, number, callType
	// ("" lets the policy decide).
	MsgDial = "dial"
	// MsgDialed answers MsgDial: id, service, callType.
	MsgDialed = "dialed"
	// MsgFailed answers a request phoned refused: reason.
	MsgFailed = "failed"
	// MsgChoose answers MsgDial when several services can place the call
	// and none was named: reason, then the candidates' call types in rank
	// order. Dial again with one of them.
	MsgChoose = "choose"
	// ExitChoiceNeeded is the exit code of a console program whose dial
	// needs the user to choose a call type (phonectl dial -type T).
	ExitChoiceNeeded = 3
	// ReplyChannelPrefix starts the private channel a requester listens on.
	ReplyChannelPrefix = "QPE/Phoned/Reply/"
)

// Value-space paths phoned publishes.
const (
	AgentsPath      = "/Telephony/Agents"
	DiagnosticsPath = "/Telephony/Diagnostics"
	// LogLevelsPath [string] changes phoned's log levels while it runs,
	// in the form of its -log flag ("info,calls=debug,bus=warn").
	LogLevelsPath = "/Telephony/Config/Log"

	KeyAgentState    = "state"
	KeyAgentPID      = "pid"
	KeyAgentRestarts = "restarts"
	KeyAgentLastExit = "lastExit"
	KeyAgentServices = "services"

	// Extra keys of /Communications/Calls/<id>/, written by phoned:
	// the call's place in the list, incoming or outgoing, when it was
	// first connected and when it ended (StartTimeLayout).
	KeyCallSeq           = "seq"
	KeyCallDirection     = "direction"
	KeyCallConnectedTime = "connectedTime"
	KeyCallEndTime       = "endTime"
)

// Agent states.
const (
	AgentStarting = "starting"
	AgentRunning  = "running"
	AgentBackoff  = "backoff"
	AgentExited   = "exited"
	AgentFailed   = "failed"
	AgentStopping = "stopping"
	AgentStopped  = "stopped"
)

// Diagnostic cases: the troubleshooting table of the VoIP integration
// guide, one name each.
const (
	CaseNotStarted      = "service-not-started"
	CaseNoRunningTask   = "no-running-task"
	CaseNotInitialized  = "not-initialized"
	CaseNoCallTypes     = "no-call-types"
	CaseNotAnnounced    = "call-not-announced"
	CaseNoPolicyManager = "no-policy-manager"
	// CaseRegistration: a service is denied, or its agent says what keeps
	// it from registering (registrationProblem).
	CaseRegistration = "registration"
)

// AgentPath is /Telephony/Agents/<program>.
func AgentPath(program string) string { return vs.Join(AgentsPath, program) }

// DiagnosticPath is /Telephony/Diagnostics/<case>/<subject>.
func DiagnosticPath(c, subject string) string { return vs.Join(DiagnosticsPath, c, subject) }

// DialResult is phoned's answer to a dial request.
type DialResult struct {
	ID       string
	Service  string
	CallType string
}

// Dial asks phoned to place a call to number (callType "" lets the policy
// choose) and returns the call phoned placed, or an error wrapping ErrDial
// with phoned's reason. When several services can place it and callType
// is "", the error is a *ChoiceError (wrapping ErrDial and ErrChoiceNeeded)
// listing the call types to choose from.
func Dial(ctx context.Context, c *bus.Client, number, callType string) (DialResult, error) {
	m, err := request(ctx, c, MsgDial, vs.String(number), vs.String(callType))
	if err != nil {
		return DialResult{}, err
	}
	switch m.Name {
	case MsgFailed:
		reason, _ := m.Str(0)
		return DialResult{}, fmt.Errorf("%w: %s", ErrDial, reason)
	case MsgChoose:
		reason, _ := m.Str(0)
		ce := &ChoiceError{Reason: reason}
		for i := 1; i < len(m.Args); i++ {
			t, _ := m.Str(i)
			ce.CallTypes = append(ce.CallTypes, t)
		}
		return DialResult{}, ce
	}
	var r DialResult
	r.ID, _ = m.Str(0)
	r.Service, _ = m.Str(1)
	r.CallType, _ = m.Str(2)
	return r, nil
}

// Set and remove on behalf of a console user: a value a short-lived tool
// sets itself would vanish when the tool exits (entries belong to their bus
// connection), so vsexplorer asks phoned to own it.
const (
	// MsgSet asks phoned to store a value it owns: replyChannel, path,
	// value. Answered with MsgDone or MsgFailed.
	MsgSet = "set"
	// MsgDone answers a request that succeeded.
	MsgDone = "done"
)

// Set asks phoned to store v at path as its own entry, which outlives the
// requester.
func Set(ctx context.Context, c *bus.Client, path string, v vs.Value) error {
	m, err := request(ctx, c, MsgSet, vs.String(path), v)
	if err != nil {
		return err
	}
	if m.Name == MsgFailed {
		reason, _ := m.Str(0)
		return fmt.Errorf("%w: %s", ErrRefused, reason)
	}
	return nil
}

// MsgResetMissed asks phoned to set the missed-call count
// (telephony.MissedCallsPath) to 0, as the call screen does once the person
// has seen the missed calls: replyChannel. Answered with MsgDone.
const MsgResetMissed = "resetMissed"

// ResetMissed asks phoned to set the missed-call count to 0; phoned keeps
// the count in its call history, so the reset outlives a restart.
func ResetMissed(ctx context.Context, c *bus.Client) error {
	m, err := request(ctx, c, MsgResetMissed)
	if err != nil {
		return err
	}
	if m.Name == MsgFailed {
		reason, _ := m.Str(0)
		return fmt.Errorf("%w: %s", ErrRefused, reason)
	}
	return nil
}

// request sends a control request and waits for phoned's one reply.
func request(ctx context.Context, c *bus.Client, name string, args ...vs.Value) (qcop.Message, error) {
	reply := ReplyChannelPrefix + telephony.NewCallID()
	got := make(chan qcop.Message, 1)
	l, err := qcop.Listen(ctx, c, reply, func(m qcop.Message) {
		select {
		case got <- m:
		default:
		}
	})
	if err != nil {
		return qcop.Message{}, err
	}
	defer l.Close()
	err = qcop.Send(ctx, c, qcop.Message{Channel: ControlChannel, Name: name,
		Args: append([]vs.Value{vs.String(reply)}, args...)})
	if err != nil {
		return qcop.Message{}, fmt.Errorf("%w: %w", ErrNoReply, err)
	}
	select {
	case <-ctx.Done():
		return qcop.Message{}, fmt.Errorf("%w: %w", ErrNoReply, ctx.Err())
	case <-c.Done():
		return qcop.Message{}, fmt.Errorf("%w: %w", ErrNoReply, c.Err())
	case m := <-got:
		return m, nil
	}
}
