package policy

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Outcome is the kind of a Decision.
type Outcome int

// The outcomes of Decide.
const (
	// OutcomeNoNetwork: no manager can place the call.
	OutcomeNoNetwork Outcome = iota
	// OutcomeDial: place the call with Decision.Manager.
	OutcomeDial
	// OutcomeChoose: several managers can; the user picks one of
	// Decision.Candidates.
	OutcomeChoose
	// OutcomeReject: Decision.Manager answered NeverHandle; do not dial.
	OutcomeReject
)

func (o Outcome) String() string {
	switch o {
	case OutcomeNoNetwork:
		return "NoNetwork"
	case OutcomeDial:
		return "Dial"
	case OutcomeChoose:
		return "Choose"
	case OutcomeReject:
		return "Reject"
	}
	return fmt.Sprintf("Outcome(%d)", int(o))
}

// Decision is the result of Decide.
type Decision struct {
	Outcome Outcome
	// Number is the dialled number, normalised.
	Number string
	// Emergency reports whether Number is a configured emergency number.
	Emergency bool
	// Manager is the chosen manager (OutcomeDial, including a MustHandle
	// winner) or the rejecting one (OutcomeReject).
	Manager Manager
	// Candidates are the CanHandle managers in rank order (OutcomeChoose).
	Candidates []Manager
	// Messages explain a rejection (the rejecting manager's registration
	// message) or a missing network (every non-empty registration message
	// of all managers, in rank order).
	Messages []string
	// Reasons say in words why the call is refused: the rejecting
	// manager's reason, or each manager's reason for CannotHandle, in rank
	// order. A manager that is not a Reasoner gives its registration
	// message.
	Reasons []string

	// noEmergency is the refusal of an emergency number nothing can
	// place while the cellular placeholder (NoModemManager) is asked.
	noEmergency error
}

// Err returns nil for OutcomeDial and OutcomeChoose, and an error wrapping
// ErrRejected or ErrNoNetwork with the messages otherwise.
func (d Decision) Err() error {
	switch d.Outcome {
	case OutcomeReject:
		return fmt.Errorf("%w by %s: %s", ErrRejected, d.Manager.Service(), strings.Join(d.words(), "; "))
	case OutcomeNoNetwork:
		if d.noEmergency != nil {
			return d.noEmergency
		}
		if len(d.words()) == 0 {
			return fmt.Errorf("%w: no service can place calls (none is running)", ErrNoNetwork)
		}
		return fmt.Errorf("%w: %s", ErrNoNetwork, strings.Join(d.words(), "; "))
	}
	return nil
}

// words are the reasons, or the messages when no manager gave one.
func (d Decision) words() []string {
	if len(d.Reasons) > 0 {
		return d.Reasons
	}
	return d.Messages
}

// Resolve applies the caller's explicit choice: callType is "" when the user
// named none. It returns the manager to dial with, or an error wrapping
// ErrChoiceNeeded, ErrNotCandidate, ErrRejected or ErrNoNetwork.
// A MustHandle winner cannot be overridden by a call type.
func (d Decision) Resolve(callType string) (Manager, error) {
	switch d.Outcome {
	case OutcomeDial:
		if callType == "" || callType == d.Manager.CallType() {
			return d.Manager, nil
		}
		return nil, fmt.Errorf("%w: %q (only %q can)", ErrNotCandidate, callType, d.Manager.CallType())
	case OutcomeChoose:
		types := make([]string, len(d.Candidates))
		for i, m := range d.Candidates {
			if m.CallType() == callType {
				return m, nil
			}
			types[i] = m.CallType()
		}
		if callType == "" {
			return nil, fmt.Errorf("%w: %s", ErrChoiceNeeded, strings.Join(types, ", "))
		}
		return nil, fmt.Errorf("%w: %q (candidates: %s)", ErrNotCandidate, callType, strings.Join(types, ", "))
	}
	return nil, d.Err()
}

// Decide asks every manager about number and applies the dial decision (see
// the package documentation). The result does not depend on the order of
// managers: they are first ranked by cfg.Priority, then by service name,
// then by call type.
func Decide(number string, managers []Manager, cfg Config) Decision {
	ranked := rank(managers, cfg.Priority)
	d := Decision{Number: Normalize(number), Emergency: cfg.Emergency.Contains(number)}

	answers := make([]Handling, len(ranked))
	for i, m := range ranked {
		answers[i] = m.Handling(number)
	}
	for i, h := range answers {
		if h == MustHandle {
			d.Outcome, d.Manager = OutcomeDial, ranked[i]
			return d
		}
	}
	for i, h := range answers {
		if h == NeverHandle {
			d.Outcome, d.Manager = OutcomeReject, ranked[i]
			if msg := ranked[i].RegistrationMessage(); msg != "" {
				d.Messages = []string{msg}
			}
			if r := reason(ranked[i], number); r != "" {
				d.Reasons = []string{r}
			}
			return d
		}
	}
	for i, h := range answers {
		if h == CanHandle {
			d.Candidates = append(d.Candidates, ranked[i])
		}
	}
	switch len(d.Candidates) {
	case 0:
		d.Outcome = OutcomeNoNetwork
		for _, m := range ranked {
			if msg := m.RegistrationMessage(); msg != "" {
				d.Messages = append(d.Messages, msg)
			}
			if r := reason(m, number); r != "" {
				d.Reasons = append(d.Reasons, r)
			}
		}
		if d.Emergency {
			d.noEmergency = emergencyRefusal(number, ranked)
		}
	case 1:
		d.Outcome, d.Manager, d.Candidates = OutcomeDial, d.Candidates[0], nil
	default:
		d.Outcome = OutcomeChoose
	}
	return d
}

// reason is m's reason for refusing number, or its registration message
// when it gives none.
func reason(m Manager, number string) string {
	if r, ok := m.(Reasoner); ok {
		return r.Reason(number)
	}
	return m.RegistrationMessage()
}

// rank orders managers by position in priority (unlisted last), then by
// service name, then by call type.
func rank(managers []Manager, priority []string) []Manager {
	pos := func(m Manager) int {
		if i := slices.Index(priority, m.Service()); i >= 0 {
			return i
		}
		return len(priority)
	}
	out := slices.Clone(managers)
	slices.SortStableFunc(out, func(a, b Manager) int {
		return cmp.Or(
			cmp.Compare(pos(a), pos(b)),
			strings.Compare(a.Service(), b.Service()),
			strings.Compare(a.CallType(), b.CallType()),
		)
	})
	return out
}
