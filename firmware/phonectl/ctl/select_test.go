package ctl

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"strings"
	"testing"

	"github.com/ringo-phone/ringo/telephony"
	"github.com/ringo-phone/ringo/telephony/phoneapi"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

// table builds a call list; calls are given oldest first.
func table(calls ...Call) *callTable {
	t := newCallTable()
	for i, c := range calls {
		p := telephony.CallPath(c.ID)
		t.set(vs.Join(p, phoneapi.KeyCallSeq), vs.Int(int64(i+1)), false)
		for key, v := range map[string]string{telephony.KeyCallState: c.State, telephony.KeyCallNumber: c.Number,
			telephony.KeyCallService: c.Service, telephony.KeyCallActions: c.Actions} {
			if v != "" {
				t.set(vs.Join(p, key), vs.String(v), false)
			}
		}
	}
	return t
}

// Each command acts on the call its help names: the table gives the words
// the help must say and the call the command must pick.
func TestCallSelection(t *testing.T) {
	// a connected call, then a held one (the newest), as after activating
	// the first of two calls; an incoming one; an ended one.
	twoCalls := table(Call{ID: "a", State: "Connected"}, Call{ID: "b", State: "Hold"})
	mixed := table(Call{ID: "in", State: "Incoming"}, Call{ID: "c", State: "Connected"},
		Call{ID: "h", State: "Hold"}, Call{ID: "end", State: "HangupRemote"})
	for _, tc := range []struct {
		cmd  string
		help string // what phonectl help says the command acts on
		t    *callTable
		id   string
		want string // the call picked, or the error's text
	}{
		{"answer", "the newest incoming call", mixed, "", "in"},
		{"answer", "the newest incoming call", twoCalls, "", "no such call: there is no incoming call"},
		{"answer", "the newest incoming call", mixed, "c", "no such call: call c is Connected, not incoming"},
		{"hangup", "the newest live call", mixed, "", "h"},
		{"hangup", "the newest live call", mixed, "in", "in"},
		{"hangup", "the newest live call", mixed, "end", "no such call: call end is HangupRemote, not live"},
		{"hold", "the newest connected call", twoCalls, "", "a"},
		{"hold", "the newest connected call", twoCalls, "b", "no such call: call b is Hold, not connected"},
		{"activate", "the newest held call", twoCalls, "", "b"},
		{"activate", "the newest held call", twoCalls, "a", "no such call: call a is Connected, not held"},
		{"tone", "the newest connected call", twoCalls, "", "a"},
		{"tone", "the newest connected call", table(Call{ID: "d", State: "Dialing"}), "", "no such call: there is no connected call"},
		// transfer: the connected call even when a held one is newer; a
		// held call only when named.
		{"transfer", "the newest connected call", twoCalls, "", "a"},
		{"transfer", "the newest connected call", twoCalls, "b", "b"},
		{"transfer", "the newest connected call", table(Call{ID: "h", State: "Hold"}), "", "no such call: there is no connected call"},
		{"transfer", "the newest connected call", mixed, "in", "no such call: call in is Incoming, not connected or held"},
		{"transfer", "the newest connected call", mixed, "zz", "no such call: zz"},
	} {
		s, ok := lookup(tc.cmd)
		if !ok || s.sel == nil {
			t.Fatalf("%s is not a call command", tc.cmd)
		}
		var list bytes.Buffer
		writeHelp(&list, flagsForTest())
		if line := helpLine(list.String(), tc.cmd); !strings.Contains(line, tc.help) {
			t.Errorf("phonectl help says %q for %s, want it to name %q", line, tc.cmd, tc.help)
		}
		var one bytes.Buffer
		writeCommandHelp(&one, flagsForTest(), s)
		if !strings.Contains(one.String(), "acts on "+tc.help) {
			t.Errorf("phonectl help %s =\n%s\nwant it to say it acts on %q", tc.cmd, one.String(), tc.help)
		}
		cl, err := s.sel.pick(tc.t, tc.id)
		got := cl.ID
		if err != nil {
			got = err.Error()
			if !errors.Is(err, ErrNoCall) {
				t.Errorf("%s %q: error %v is not ErrNoCall", tc.cmd, tc.id, err)
			}
		}
		if got != tc.want {
			t.Errorf("%s %q picks %q, want %q", tc.cmd, tc.id, got, tc.want)
		}
	}
}

func flagsForTest() *flag.FlagSet { fs, _ := newFlags(noEnv); return fs }

// helpLine is the line of the command list that starts with cmd.
func helpLine(help, cmd string) string {
	for _, l := range strings.Split(help, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), cmd+" ") {
			return l
		}
	}
	return ""
}

func TestVerdict(t *testing.T) {
	for _, tc := range []struct {
		state, want string
		done        bool
		err         error
	}{
		{"Dialing", "Dialing", true, nil},
		{"Dialing", "Alerting", false, nil},
		{"Dialing", "Connected", false, nil},
		{"Dialing", "Incoming", true, ErrPassed},
		{"Alerting", "Dialing", true, ErrPassed},
		{"Incoming", "Connected", false, nil},
		{"Incoming", "Alerting", true, ErrPassed},
		{"Connected", "Hold", false, nil},
		{"Hold", "Connected", false, nil},
		{"Connected", "Alerting", true, ErrPassed},
		{"Connected", "HangupRemote", false, nil},
		{"Incoming", "Missed", false, nil},
		{"Idle", "Connected", false, nil},
		{"HangupLocal", "HangupLocal", true, nil},
		{"HangupLocal", "Connected", true, ErrEnded},
		{"Missed", "HangupRemote", true, ErrEnded},
		{"SomethingNew", "Connected", false, nil}, // a state this phonectl does not know: keep waiting
	} {
		want, err := telephony.ParseCallState(tc.want)
		if err != nil {
			t.Fatal(err)
		}
		done, err := verdict(Call{ID: "x", State: tc.state}, want)
		if done != tc.done || !errors.Is(err, tc.err) || (tc.err == nil) != (err == nil) {
			t.Errorf("verdict(%s, want %s) = %v, %v, want %v, %v", tc.state, tc.want, done, err, tc.done, tc.err)
		}
	}
}

// Help goes to standard output with exit 0; a usage mistake exits 2 with
// one line saying what is wrong and one saying where to look, before
// phonectl talks to phoned (there is none here).
func TestHelpAndUsage(t *testing.T) {
	rt := t.TempDir()
	for _, tc := range []struct {
		args   []string
		code   int
		stdout []string
		stderr []string
	}{
		{[]string{"-h"}, 0, []string{"usage: phonectl", "transfer NUMBER [-call ID]", "-timeout D", "exit status"}, nil},
		{[]string{"-help"}, 0, []string{"usage: phonectl", "wait -service NAME STATE"}, nil},
		{[]string{"help"}, 0, []string{"usage: phonectl", "help [COMMAND]"}, nil},
		{[]string{"help", "wait"}, 0, []string{"usage: phonectl wait STATE", "fails at once", "-service NAME", "-call ID"}, nil},
		{[]string{"dial", "-h"}, 0, []string{"usage: phonectl dial NUMBER [-type T]", "-type T"}, nil},
		{[]string{"transfer", "--help"}, 0, []string{"usage: phonectl transfer NUMBER [-call ID]", "connected or held"}, nil},
		{nil, 2, nil, []string{"phonectl: no command given\n", `Run "phonectl help" for the commands.`}},
		{[]string{"bogus"}, 2, nil, []string{`phonectl: unknown command "bogus"` + "\n"}},
		{[]string{"-no-such-flag"}, 2, nil, []string{"phonectl: flag provided but not defined: -no-such-flag\n"}},
		{[]string{"status", "extra"}, 2, nil, []string{"phonectl: status takes no arguments\n", `Run "phonectl help status" for its usage.`}},
		{[]string{"dial"}, 2, nil, []string{"phonectl: dial takes 1 argument\n"}},
		{[]string{"status", "-type", "Voice"}, 2, nil, []string{"phonectl: status does not take -type\n"}},
		{[]string{"wait", "Bogus"}, 2, nil, []string{`call state "Bogus" (one of Idle, Incoming`}},
		{[]string{"wait", "Home", "-service", "asterisk", "-call", "x"}, 2, nil, []string{"give one"}},
		{[]string{"hangup", "a", "-call", "b"}, 2, nil, []string{"Name one call"}},
		{[]string{"help", "bogus"}, 2, nil, []string{`phonectl: help: unknown command "bogus"`}},
		{[]string{"wait", "Connected", "-timeout", "0s"}, 2, nil, []string{"want a positive duration"}},
		// A good command line gets as far as the bus.
		{[]string{"wait", "connected"}, 1, nil, []string{"phonectl: phoned is not running"}},
	} {
		var out, errb bytes.Buffer
		env := testEnv(&out)
		env.Stderr = &errb
		code := Main(context.Background(), append([]string{"-runtime", rt}, tc.args...), env)
		if code != tc.code {
			t.Errorf("phonectl %q exits %d, want %d (stderr %q)", tc.args, code, tc.code, errb.String())
		}
		for _, w := range tc.stdout {
			if !strings.Contains(out.String(), w) {
				t.Errorf("phonectl %q stdout lacks %q:\n%s", tc.args, w, out.String())
			}
		}
		for _, w := range tc.stderr {
			if !strings.Contains(errb.String(), w) {
				t.Errorf("phonectl %q stderr = %q, want it to hold %q", tc.args, errb.String(), w)
			}
		}
		if tc.stdout == nil && out.Len() > 0 {
			t.Errorf("phonectl %q printed %q on stdout, want nothing", tc.args, out.String())
		}
		if tc.stderr == nil && errb.Len() > 0 {
			t.Errorf("phonectl %q printed %q on stderr, want nothing", tc.args, errb.String())
		}
		if n := strings.Count(errb.String(), "phonectl:"); n > 1 {
			t.Errorf("phonectl %q stderr says phonectl: %d times: %q", tc.args, n, errb.String())
		}
	}
}
