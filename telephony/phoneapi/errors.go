package phoneapi

import (
	"errors"
	"strings"
)

var (
	// ErrDial reports a dial request phoned refused (no network, rejected,
	// a choice needed); the text is phoned's reason.
	ErrDial = errors.New("dial refused")
	// ErrRefused reports another request phoned refused.
	ErrRefused = errors.New("refused by phoned")
	// ErrChoiceNeeded reports a dial that needs a call type (see
	// ChoiceError).
	ErrChoiceNeeded = errors.New("choose a call type")
	// ErrNoReply reports that phoned did not answer a request.
	ErrNoReply = errors.New("phoned did not answer")
)

// ChoiceError is Dial's answer when several services can place the call:
// the user picks one of CallTypes (the seed's call-type list).
type ChoiceError struct {
	Reason    string
	CallTypes []string
}

func (e *ChoiceError) Error() string {
	return ErrDial.Error() + ": " + ErrChoiceNeeded.Error() + ": " + strings.Join(e.CallTypes, ", ") +
		" (dial again with -type)"
}

// Is makes errors.Is match ErrDial and ErrChoiceNeeded.
func (e *ChoiceError) Is(target error) bool { return target == ErrDial || target == ErrChoiceNeeded }
