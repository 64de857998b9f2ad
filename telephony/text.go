package telephony

import "strings"

// The enumerations marshal as their names, so phonectl -json and logs read
// "Connected" rather than 4.

// MarshalText implements encoding.TextMarshaler.
func (s RegistrationState) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *RegistrationState) UnmarshalText(b []byte) (err error) {
	*s, err = ParseRegistrationState(string(b))
	return err
}

// MarshalText implements encoding.TextMarshaler.
func (m OperatorMode) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (m *OperatorMode) UnmarshalText(b []byte) (err error) {
	*m, err = ParseOperatorMode(string(b))
	return err
}

// MarshalText implements encoding.TextMarshaler.
func (s CallState) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *CallState) UnmarshalText(b []byte) (err error) {
	*s, err = ParseCallState(string(b))
	return err
}

// MarshalText implements encoding.TextMarshaler.
func (s Scope) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Scope) UnmarshalText(b []byte) (err error) {
	*s, err = ParseScope(string(b))
	return err
}

// MarshalText implements encoding.TextMarshaler.
func (p PresenceStatus) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (p *PresenceStatus) UnmarshalText(b []byte) (err error) {
	*p, err = ParsePresenceStatus(string(b))
	return err
}

// MarshalText implements encoding.TextMarshaler ("accept|transfer").
func (a Actions) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (a *Actions) UnmarshalText(b []byte) (err error) {
	*a, err = ParseActions(string(b))
	return err
}

// ParseActions parses the form Actions.String writes: names joined by "|",
// or "none".
func ParseActions(s string) (Actions, error) {
	if s == "none" || s == "" {
		return 0, nil
	}
	var a Actions
	for _, part := range strings.Split(s, "|") {
		i, err := parse(actionNames, part, "action")
		if err != nil {
			return 0, err
		}
		a |= 1 << i
	}
	return a, nil
}
