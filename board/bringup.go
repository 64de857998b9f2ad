package board

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
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
	What    string // e.g. "module i2c-stub", "radio"
	Outcome Outcome
	Err     error         // why it was skipped or failed
	Took    time.Duration // how long the step took, where measured
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
		if s.Took > 0 {
			fmt.Fprintf(&b, " (%v)", s.Took.Round(100*time.Microsecond))
		}
	}
	return b.String()
}

// Problems lists the failed steps as "what: why", the lines phoned
// publishes under /Hardware/Problems.
func (r Report) Problems() []string {
	out := []string{}
	for _, s := range r.Steps {
		if s.Outcome == Failed {
			out = append(out, fmt.Sprintf("%s: %v", s.What, s.Err))
		}
	}
	return out
}

// LoadModules loads the board's modules, all at once: the loader must be
// safe for concurrent use and resolve dependencies itself (as modprobe
// does), and the kernel loads independent modules in parallel, which
// shortens the boot. The report lists the modules in the board's order. A
// missing optional module is skipped; any other error is a failure, and
// the others still load, so that the report shows everything at once.
func LoadModules(b Board, l ModuleLoader) Report {
	r := Report{Board: b.Name, Steps: make([]Step, len(b.Modules))}
	var wg sync.WaitGroup
	for i, m := range b.Modules {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.Steps[i] = loadModule(m, l)
		}()
	}
	wg.Wait()
	return r
}

func loadModule(m Module, l ModuleLoader) Step {
	what := "module " + m.Name
	if m.Params != "" {
		what += " " + m.Params
	}
	err := l.Probe(m.Name, m.Params)
	switch {
	case err == nil:
		return Step{What: what, Outcome: Loaded}
	case m.Optional && errors.Is(err, ErrModuleMissing):
		return Step{What: what, Outcome: Skipped, Err: err}
	default:
		return Step{What: what, Outcome: Failed, Err: err}
	}
}
