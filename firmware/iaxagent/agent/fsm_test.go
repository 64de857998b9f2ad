package agent

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ringo-phone/ringo/telephony"
)

const (
	none      = telephony.RegistrationNone
	searching = telephony.RegistrationSearching
	home      = telephony.RegistrationHome
	denied    = telephony.RegistrationDenied
)

// regTable is every transition of the registration machine; any other
// (state, event) pair must leave the state alone and do nothing.
var regTable = []transition[telephony.RegistrationState, regEvent, regActions]{
	{none, regBegin, searching, regClear | regResolve},
	{none, regAgain, searching, regResolve},
	{none, regUnconfigured, none, regSay},
	{none, regDeregistered, none, regClear},
	{none, regSent, searching, 0},
	{none, regAcked, home, regResetBackoff | regClear},
	{none, regRejected, denied, regForget | regSay},
	{none, regReleased, none, regForget},
	{none, regFailed, none, regForget | regSay | regRetry},
	{searching, regBegin, searching, regClear | regResolve},
	{searching, regUnconfigured, none, regSay},
	{searching, regDeregistered, none, regClear},
	{searching, regResolved, searching, regStart},
	{searching, regUnreachable, none, regSay | regRetry},
	{searching, regAcked, home, regResetBackoff | regClear},
	{searching, regUnanswered, none, regSay},
	{searching, regRejected, denied, regForget | regSay},
	{searching, regReleased, none, regForget},
	{searching, regFailed, none, regForget | regSay | regRetry},
	{home, regBegin, searching, regClear | regResolve},
	{home, regUnconfigured, none, regSay},
	{home, regDeregistered, none, regClear},
	{home, regAcked, home, regResetBackoff | regClear},
	{home, regUnanswered, none, regSay},
	{home, regRejected, denied, regForget | regSay},
	{home, regReleased, none, regForget},
	{home, regFailed, none, regForget | regSay | regRetry},
	{denied, regBegin, searching, regClear | regResolve},
	{denied, regUnconfigured, none, regSay},
	{denied, regDeregistered, none, regClear},
}

func TestRegistrationMachine(t *testing.T) {
	var events []regEvent
	for ev := regEvent(0); ev <= regFailed; ev++ {
		events = append(events, ev)
	}
	checkMachine(t, "registration_fsm.go", []telephony.RegistrationState{none, searching, home, denied}, events, regTable,
		func(from telephony.RegistrationState, ev regEvent) (telephony.RegistrationState, regActions) {
			r := registration{state: from}
			acts := r.transition(ev)
			return r.state, acts
		})
}

// A refresh of a Home registration (iax sends REGREQ again) stays Home:
// dials are not refused while it is under way.
func TestRegistrationRefreshStaysHome(t *testing.T) {
	r := registration{state: home}
	if acts := r.transition(regSent); r.state != home || acts != 0 {
		t.Errorf("transition(Home, sent) = %v [%v], want Home and nothing to do", r.state, acts)
	}
}

// callTable is every transition of the call machine; any other (state,
// event) pair must leave the state alone and do nothing.
var callTable = []transition[telephony.CallState, callEvent, callActions]{
	{idle, callDial, dialing, callHoldOthers},
	{idle, callStopping, telephony.CallServiceHangup, 0},
	{idle, callTooMany, telephony.CallOtherFailure, 0},
	{idle, callNoNetwork, telephony.CallNetworkFailure, 0},
	{idle, callBadNumber, telephony.CallOtherFailure, 0},
	{idle, callOffer, incoming, 0},
	{idle, callEndLocal, telephony.CallHangupLocal, 0},
	{incoming, callAnswered, connected, callHoldOthers},
	{incoming, callEndLocal, telephony.CallHangupLocal, 0},
	{incoming, callEndRemote, telephony.CallMissed, 0},
	{incoming, callLost, telephony.CallMissed, 0},
	{dialing, callRinging, alerting, 0},
	{dialing, callAnswered, connected, callHoldOthers},
	{dialing, callEndLocal, telephony.CallHangupLocal, 0},
	{dialing, callEndRemote, telephony.CallHangupRemote, 0},
	{dialing, callLost, telephony.CallNetworkFailure, 0},
	{alerting, callAnswered, connected, callHoldOthers},
	{alerting, callEndLocal, telephony.CallHangupLocal, 0},
	{alerting, callEndRemote, telephony.CallHangupRemote, 0},
	{alerting, callLost, telephony.CallNetworkFailure, 0},
	{connected, callHold, hold, 0},
	{connected, callEndLocal, telephony.CallHangupLocal, 0},
	{connected, callEndRemote, telephony.CallHangupRemote, 0},
	{connected, callLost, telephony.CallNetworkFailure, 0},
	{hold, callActivate, connected, callHoldOthers},
	{hold, callEndLocal, telephony.CallHangupLocal, 0},
	{hold, callEndRemote, telephony.CallHangupRemote, 0},
	{hold, callLost, telephony.CallNetworkFailure, 0},
}

const (
	idle      = telephony.CallIdle
	incoming  = telephony.CallIncoming
	dialing   = telephony.CallDialing
	alerting  = telephony.CallAlerting
	connected = telephony.CallConnected
	hold      = telephony.CallHold
)

func TestCallMachine(t *testing.T) {
	var events []callEvent
	for ev := callEvent(0); ev <= callLost; ev++ {
		events = append(events, ev)
	}
	checkMachine(t, "call_fsm.go", telephony.CallStates(), events, callTable,
		func(from telephony.CallState, ev callEvent) (telephony.CallState, callActions) {
			c := call{state: from}
			acts := c.transition(ev)
			return c.state, acts
		})
}

// transition is one row of a machine's table.
type transition[S, E, A comparable] struct {
	from S
	ev   E
	to   S
	acts A
}

// checkMachine feeds step every (state, event) pair: the table's rows
// must come out as listed, and every other pair unchanged with no
// actions. Then the table must be the diagram in file's comment.
func checkMachine[S, E, A interface {
	comparable
	fmt.Stringer
}](t *testing.T, file string, states []S, events []E, table []transition[S, E, A], step func(S, E) (S, A)) {
	t.Helper()
	var noActs A
	for _, from := range states {
		for _, ev := range events {
			wantTo, wantActs := from, noActs
			for _, row := range table {
				if row.from == from && row.ev == ev {
					wantTo, wantActs = row.to, row.acts
				}
			}
			if to, acts := step(from, ev); to != wantTo || acts != wantActs {
				t.Errorf("transition(%v, %v) = %v [%v], want %v [%v]", from, ev, to, acts, wantTo, wantActs)
			}
		}
	}
	var rows []string
	for _, row := range table {
		rows = append(rows, diagramRow(row.from.String(), row.ev.String(), row.to.String(), row.acts.String()))
	}
	checkDiagram(t, file, rows)
}

func diagramRow(fields ...string) string { return strings.TrimSpace(strings.Join(fields, " ")) }

// checkDiagram compares the transition table in the comment of file (the
// lines after the "from event to actions" heading, up to the next empty
// comment line) with want, row by row.
func checkDiagram(t *testing.T, file string, want []string) {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	in := false
	for _, line := range strings.Split(string(src), "\n") {
		text, ok := strings.CutPrefix(line, "//\t")
		switch {
		case !in && ok && strings.Join(strings.Fields(text), " ") == "from event to actions":
			in = true
		case in && ok:
			got = append(got, strings.Join(strings.Fields(text), " "))
		case in:
			in = false
		}
	}
	if len(got) == 0 {
		t.Fatalf("%s: no transition table (a comment line \"from event to actions\" and its rows)", file)
	}
	for _, row := range want {
		if !slices.Contains(got, row) {
			t.Errorf("%s: the diagram lacks the transition %q", file, row)
		}
	}
	for _, row := range got {
		if !slices.Contains(want, row) {
			t.Errorf("%s: the diagram shows %q, which the machine does not do", file, row)
		}
	}
}

// TestOnlyTransitionsAssignState: the registration's and each call's state
// field is assigned (or has its address taken, or is set in a composite
// literal) only inside their transition methods, in the package's
// non-test files.
func TestOnlyTransitionsAssignState(t *testing.T) {
	fset := token.NewFileSet()
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	byFunc := stateAssignments(fset, files)
	for _, fn := range []string{"(*registration).transition", "(*call).transition"} {
		if len(byFunc[fn]) == 0 {
			t.Errorf("%s assigns no state field: the scan no longer sees the machine (renamed?)", fn)
		}
		delete(byFunc, fn)
	}
	for fn, where := range byFunc {
		for _, pos := range where {
			t.Errorf("%s: %s sets a state field; only the transition functions may", pos, fn)
		}
	}
}

// The scan itself finds what it should.
func TestStateAssignmentsScan(t *testing.T) {
	const src = `package agent
var zero = call{state: 1}
func (a *Agent) f() { a.reg.state = 2; a.reg.state++; p := &a.reg.state; _ = p }
func (c *call) transition(callEvent) callActions { c.state = 3; return 0 }
func (a *Agent) g() { x := a.reg.state; _ = x; local := 0; local = 1; _ = local }
`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "x.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	got := stateAssignments(fset, []*ast.File{f})
	want := map[string]int{"package level": 1, "(*Agent).f": 3, "(*call).transition": 1}
	for fn, n := range want {
		if len(got[fn]) != n {
			t.Errorf("stateAssignments: %s has %v, want %d", fn, got[fn], n)
		}
	}
	if len(got) != len(want) {
		t.Errorf("stateAssignments = %v, want only %v", got, want)
	}
}

// stateAssignments finds, per enclosing function ("(*T).name", "name", or
// "package level"), where a field named state is assigned, incremented,
// has its address taken, or is set in a composite literal.
func stateAssignments(fset *token.FileSet, files []*ast.File) map[string][]string {
	found := map[string][]string{}
	isState := func(e ast.Expr) bool {
		s, ok := ast.Unparen(e).(*ast.SelectorExpr)
		return ok && s.Sel.Name == "state"
	}
	for _, f := range files {
		for _, decl := range f.Decls {
			where := "package level"
			if fd, ok := decl.(*ast.FuncDecl); ok {
				where = funcName(fd)
			}
			ast.Inspect(decl, func(n ast.Node) bool {
				var hits []ast.Node
				switch n := n.(type) {
				case *ast.AssignStmt:
					for _, l := range n.Lhs {
						if isState(l) {
							hits = append(hits, l)
						}
					}
				case *ast.IncDecStmt:
					if isState(n.X) {
						hits = append(hits, n)
					}
				case *ast.UnaryExpr:
					if n.Op == token.AND && isState(n.X) {
						hits = append(hits, n)
					}
				case *ast.KeyValueExpr:
					if k, ok := n.Key.(*ast.Ident); ok && k.Name == "state" {
						hits = append(hits, n)
					}
				}
				for _, h := range hits {
					found[where] = append(found[where], fset.Position(h.Pos()).String())
				}
				return true
			})
		}
	}
	return found
}

func funcName(fd *ast.FuncDecl) string {
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		return fd.Name.Name
	}
	switch t := fd.Recv.List[0].Type.(type) {
	case *ast.StarExpr:
		if id, ok := t.X.(*ast.Ident); ok {
			return fmt.Sprintf("(*%s).%s", id.Name, fd.Name.Name)
		}
	case *ast.Ident:
		return fmt.Sprintf("(%s).%s", t.Name, fd.Name.Name)
	}
	return fd.Name.Name
}
