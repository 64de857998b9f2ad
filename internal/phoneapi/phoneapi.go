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
	// ReplyChannelPrefix starts the private channel a requester listens on.
	ReplyChannelPrefix = "QPE/Phoned/Reply/"
)

// Value-space paths phoned publishes.
const (
	AgentsPath      = "/Telephony/Agents"
	DiagnosticsPath = "/Telephony/Diagnostics"

	KeyAgentState    = "state"
	KeyAgentPID      = "pid"
	KeyAgentRestarts = "restarts"
	KeyAgentLastExit = "lastExit"
	KeyAgentServices = "services"

	// Extra keys of /Communications/Calls/<id>/.
	KeyCallSeq       = "seq"
	KeyCallDirection = "direction"
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
// with phoned's reason.
func Dial(ctx context.Context, c *bus.Client, number, callType string) (DialResult, error) {
	reply := ReplyChannelPrefix + telephony.NewCallID()
	got := make(chan qcop.Message, 1)
	l, err := qcop.Listen(ctx, c, reply, func(m qcop.Message) {
		select {
		case got <- m:
		default:
		}
	})
	if err != nil {
		return DialResult{}, err
	}
	defer l.Close()
	err = qcop.Send(ctx, c, qcop.Message{Channel: ControlChannel, Name: MsgDial,
		Args: []vs.Value{vs.String(reply), vs.String(number), vs.String(callType)}})
	if err != nil {
		return DialResult{}, fmt.Errorf("%w: %w", ErrNoReply, err)
	}
	select {
	case <-ctx.Done():
		return DialResult{}, fmt.Errorf("%w: %w", ErrNoReply, ctx.Err())
	case <-c.Done():
		return DialResult{}, fmt.Errorf("%w: %w", ErrNoReply, c.Err())
	case m := <-got:
		if m.Name == MsgFailed {
			reason, _ := m.Str(0)
			return DialResult{}, fmt.Errorf("%w: %s", ErrDial, reason)
		}
		var r DialResult
		r.ID, _ = m.Str(0)
		r.Service, _ = m.Str(1)
		r.CallType, _ = m.Str(2)
		return r, nil
	}
}
