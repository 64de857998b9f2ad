package policy

import (
	"fmt"
	"slices"
	"strings"
)

// DefaultEmergencyNumbers are used when Telephony.conf sets none.
var defaultEmergency = []string{"112", "911", "08", "000", "999", "110", "118", "119"}

// EmergencyNumbers is a set of numbers that are always treated as emergency
// calls. The zero value holds no numbers; use DefaultEmergencyNumbers.
type EmergencyNumbers struct {
	list []string // in configured order, normalised
}

// DefaultEmergencyNumbers returns 112, 911, 08, 000, 999, 110, 118, 119.
func DefaultEmergencyNumbers() EmergencyNumbers {
	return EmergencyNumbers{list: slices.Clone(defaultEmergency)}
}

// KeySIMEmergencyNumbers, under a service's QServiceChecker in the value
// space (/Communications/QServiceChecker/<service>/emergencyNumbers),
// lists the emergency numbers its SIM adds (a modem's EF_ECC); the phone
// server feeds them to every manager as Inputs.SIMEmergency.
const KeySIMEmergencyNumbers = "emergencyNumbers"

// alwaysEmergency are emergency numbers whatever Telephony.conf says.
var alwaysEmergency = []string{"112", "911"}

// AlwaysEmergencyNumbers returns 112 and 911, the numbers that are
// emergency numbers whatever the configuration lists.
func AlwaysEmergencyNumbers() EmergencyNumbers {
	return EmergencyNumbers{list: slices.Clone(alwaysEmergency)}
}

// With returns e with nums added after its own, normalised; a number e
// holds already, and one that is not made of digits, '*', '#' and '+',
// is left out.
func (e EmergencyNumbers) With(nums ...string) EmergencyNumbers {
	if len(nums) == 0 {
		return e
	}
	out := EmergencyNumbers{list: slices.Clone(e.list)}
	for _, raw := range nums {
		n := Normalize(raw)
		if n == "" || strings.IndexFunc(n, func(r rune) bool { return !isDialChar(r) }) >= 0 || slices.Contains(out.list, n) {
			continue
		}
		out.list = append(out.list, n)
	}
	return out
}

// NewEmergencyNumbers validates and normalises nums (visual separators
// removed). Every number must be non-empty and made of digits, '*', '#' and
// '+' only; duplicates are an error.
func NewEmergencyNumbers(nums ...string) (EmergencyNumbers, error) {
	if len(nums) == 0 {
		return EmergencyNumbers{}, fmt.Errorf("%w: the list is empty", ErrBadNumber)
	}
	out := make([]string, 0, len(nums))
	for _, raw := range nums {
		n := Normalize(raw)
		if n == "" {
			return EmergencyNumbers{}, fmt.Errorf("%w: empty entry %q", ErrBadNumber, raw)
		}
		for _, r := range n {
			if !isDialChar(r) {
				return EmergencyNumbers{}, fmt.Errorf("%w: %q contains %q (want digits, '*', '#', '+')", ErrBadNumber, raw, r)
			}
		}
		if slices.Contains(out, n) {
			return EmergencyNumbers{}, fmt.Errorf("%w: %q listed twice", ErrBadNumber, raw)
		}
		out = append(out, n)
	}
	return EmergencyNumbers{list: out}, nil
}

// Contains reports whether number, normalised, is an emergency number.
func (e EmergencyNumbers) Contains(number string) bool {
	return slices.Contains(e.list, Normalize(number))
}

// List returns the numbers in configured order.
func (e EmergencyNumbers) List() []string { return slices.Clone(e.list) }

// String returns the list as written in Telephony.conf.
func (e EmergencyNumbers) String() string { return strings.Join(e.list, ", ") }

// Normalize removes the visual separators a user or a contact entry may put
// in a phone number (spaces, '-', '.', '(', ')') and nothing else.
func Normalize(number string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '-', '.', '(', ')':
			return -1
		}
		return r
	}, number)
}

func isDialChar(r rune) bool {
	return (r >= '0' && r <= '9') || r == '*' || r == '#' || r == '+'
}
