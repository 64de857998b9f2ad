package board

import (
	"errors"
	"fmt"
	"strings"
)

// ModuleLoader loads one kernel module with its parameters, resolving its
// dependencies (modprobe semantics). It returns an error wrapping
// ErrModuleMissing when the image does not contain the module.
type ModuleLoader interface {
	Probe(name, params string) error
}

// Outcome is what happened to one step of the bring-up.
type Outcome int

const (
	Loaded Outcome = iota
	Skipped
	Failed
)

func (o Outcome) String() string {
	switch o {
	case Loaded:
		return "loaded"
	case Skipped:
		return "skipped"
	case Failed:
		return "FAILED"
	}
	return fmt.Sprintf("Outcome(%d)", int(o))
}

// Step is one line of a bring-up report.
type Step struct {
	What    string // e.g. "module i2c-stub"
	Outcome Outcome
	Err     error // why it was skipped or failed
}

// Report lists every step of a bring-up in order.
type Report struct {
	Board string
	Steps []Step
}

// Failed reports whether any step failed.
func (r Report) Failed() bool {
	for _, s := range r.Steps {
		if s.Outcome == Failed {
			return true
		}
	}
	return false
}

// String renders the report for the serial console, one step a line.
func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "board %s:", r.Board)
	for _, s := range r.Steps {
		fmt.Fprintf(&b, "\n  %-8s %s", s.Outcome, s.What)
		if s.Err != nil {
			fmt.Fprintf(&b, ": %v", s.Err)
		}
	}
	return b.String()
}

// LoadModules loads the board's modules in order. A missing optional module
// is skipped; any other error is a failure, and the bring-up goes on with
// the next module so that the report shows everything at once.
func LoadModules(b Board, l ModuleLoader) Report {
	r := Report{Board: b.Name}
	for _, m := range b.Modules {
		what := "module " + m.Name
		if m.Params != "" {
			what += " " + m.Params
		}
		err := l.Probe(m.Name, m.Params)
		switch {
		case err == nil:
			r.Steps = append(r.Steps, Step{What: what, Outcome: Loaded})
		case m.Optional && errors.Is(err, ErrModuleMissing):
			r.Steps = append(r.Steps, Step{What: what, Outcome: Skipped, Err: err})
		default:
			r.Steps = append(r.Steps, Step{What: what, Outcome: Failed, Err: err})
		}
	}
	return r
}
