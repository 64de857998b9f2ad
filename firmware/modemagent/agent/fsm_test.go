package agent

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/ringo-phone/ringo/drivers/modem"
	"github.com/ringo-phone/ringo/telephony"
)

// diagram returns the rows of the transition table in file's comment:
// the comment lines after the one whose words start with heading, up to
// the next line that is no table row, each as its words joined by one
// space.
func diagram(t *testing.T, file string, heading ...string) []string {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile(`^//\t(.+)$`)
	var rows []string
	in := false
	for _, l := range strings.Split(string(src), "\n") {
		m := row.FindStringSubmatch(l)
		switch {
		case m == nil:
			if in {
				return rows
			}
		case in:
			rows = append(rows, strings.Join(strings.Fields(m[1]), " "))
		case slices.Equal(strings.Fields(m[1]), heading):
			in = true
		}
	}
	if len(rows) == 0 {
		t.Fatalf("%s: no table under %q", file, strings.Join(heading, " "))
	}
	return rows
}

// sameRows reports the rows one side has and the other lacks.
func sameRows(t *testing.T, file string, code, doc []string) {
	t.Helper()
	for _, r := range code {
		if !slices.Contains(doc, r) {
			t.Errorf("%s: the table lacks %q, which the code does", file, r)
		}
	}
	for _, r := range doc {
		if !slices.Contains(code, r) {
			t.Errorf("%s: the table shows %q, which the code does not do", file, r)
		}
	}
}

func words(v ...any) string {
	var s []string
	for _, x := range v {
		if w := fmt.Sprint(x); w != "" {
			s = append(s, w)
		}
	}
	return strings.Join(s, " ")
}

func TestLinkMachine(t *testing.T) {
	var rows []string
	for from := linkDown; from <= linkUp; from++ {
		for ev := linkStart; ev <= linkReset; ev++ {
			l := link{state: from}
			acts := l.transition(ev)
			if l.state == from && acts == 0 {
				continue
			}
			rows = append(rows, words(from, ev, l.state, acts))
		}
	}
	sameRows(t, "link_fsm.go", rows, diagram(t, "link_fsm.go", "from", "event", "to", "actions"))
}

func (a simActions) String() string {
	var s []string
	for i, n := range []string{"clear", "say", "send", "ask"} {
		if a&(1<<i) != 0 {
			s = append(s, n)
		}
	}
	return strings.Join(s, "+")
}

// The SIM table's "any" rows hold for every state and come first; the
// other rows are per state.
func TestSIMMachine(t *testing.T) {
	any := []simEvent{simLinkDown, simAnswerReady, simAnswerAbsent, simAnswerPUK, simAnswerOther}
	var rows []string
	for _, ev := range any {
		var first string
		for from := simUnknown; from <= simReady; from++ {
			s := simCard{state: from}
			acts := s.transition(ev)
			row := words("any", ev, s.state, acts)
			if first == "" {
				first = row
				rows = append(rows, row)
			} else if row != first {
				t.Errorf("%v on %v gives %q, unlike the other states' %q", from, ev, row, first)
			}
		}
	}
	for from := simUnknown; from <= simReady; from++ {
		for ev := simAnswerPIN; ev <= simRefusedPIN; ev++ {
			s := simCard{state: from}
			acts := s.transition(ev)
			if s.state == from && acts == 0 {
				continue
			}
			rows = append(rows, words(from, ev, s.state, acts))
		}
	}
	sameRows(t, "sim_fsm.go", rows, diagram(t, "sim_fsm.go", "from", "event", "to", "actions"))
}

func TestCallMachine(t *testing.T) {
	var rows []string
	for _, from := range telephony.CallStates() {
		for ev := callDial; ev <= callLost; ev++ {
			c := call{state: from}
			c.transition(ev)
			if c.state == from {
				continue
			}
			rows = append(rows, words(from, ev, c.state))
		}
	}
	sameRows(t, "call_fsm.go", rows, diagram(t, "call_fsm.go", "from", "event", "to"))
	// A final state never moves.
	for _, from := range telephony.CallStates() {
		if !from.Final() {
			continue
		}
		for ev := callDial; ev <= callLost; ev++ {
			c := call{state: from}
			if c.transition(ev); c.state != from {
				t.Errorf("final %v moved to %v on %v", from, c.state, ev)
			}
		}
	}
}

func TestRegistrationMachine(t *testing.T) {
	var rows []string
	for st := modem.RegNotSearching; st <= modem.RegRoaming; st++ {
		rows = append(rows, words(int(st), strings.ReplaceAll(st.String(), "-", " "), stateOf(st)))
	}
	sameRows(t, "registration_fsm.go", rows, diagram(t, "registration_fsm.go", "+CREG", "stat", "state"))
	for _, from := range []telephony.RegistrationState{telephony.RegistrationNone, telephony.RegistrationHome,
		telephony.RegistrationSearching, telephony.RegistrationDenied, telephony.RegistrationUnknown, telephony.RegistrationRoaming} {
		for st := modem.RegNotSearching; st <= modem.RegRoaming; st++ {
			r := registration{state: from}
			acts := r.transition(regStat, st)
			want := regActions(0)
			switch {
			case r.state.Registered() && !from.Registered():
				want = regOperator
			case !r.state.Registered() && from.Registered():
				want = regForget
			}
			if r.state != stateOf(st) || acts != want {
				t.Errorf("transition(%v, stat %v) = %v [%d], want %v [%d]", from, st, r.state, acts, stateOf(st), want)
			}
		}
		r := registration{state: from}
		acts := r.transition(regLinkDown, 0)
		if r.state != telephony.RegistrationNone || (acts == regForget) != from.Registered() {
			t.Errorf("transition(%v, link-down) = %v [%d], want None, forget when it was registered", from, r.state, acts)
		}
	}
}
