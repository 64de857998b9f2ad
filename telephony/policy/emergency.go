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
