package policy

import "errors"

var (
	// ErrNoNetwork reports that no service can place the call now.
	ErrNoNetwork = errors.New("policy: no network")
	// ErrRejected reports that a service answered NeverHandle: the call
	// must not be placed at all right now.
	ErrRejected = errors.New("policy: call rejected")
	// ErrChoiceNeeded reports that several services can place the call and
	// no call type was chosen.
	ErrChoiceNeeded = errors.New("policy: several services can place the call; choose a call type")
	// ErrNotCandidate reports a chosen call type that cannot place the call.
	ErrNotCandidate = errors.New("policy: call type cannot place this call")
	// ErrBadConfig reports an invalid Telephony.conf value.
	ErrBadConfig = errors.New("policy: bad configuration")
	// ErrBadNumber reports an invalid emergency number.
	ErrBadNumber = errors.New("policy: bad emergency number")
)
