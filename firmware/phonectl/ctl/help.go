package ctl

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// spec is one phonectl command: how it is called, what it takes, and the
// call it acts on. The help text and the argument checks both come from
// here, so they cannot disagree.
type spec struct {
	name string
	// usage lines, without "phonectl " (wait has two forms).
	usage []string
	// summary is the one line of "phonectl help"; for a call command it
	// names the selector's call. summary2 is the second form's.
	summary, summary2 string
	// about is the longer text of "phonectl help NAME".
	about    string
	min, max int      // positional arguments
	flags    []string // its own flags, besides the common ones
	sel      *selector
}

// common flags are accepted by every command.
var commonFlags = []string{"config", "runtime", "json", "timeout"}

var specs = []spec{
	{name: "status", usage: []string{"status"}, summary: "services, registration, call types, agents, calls, problems",
		about: "Shows each service (registration state, ready, call types, registration message, what keeps\n" +
			"it from registering), the agents phoned supervises, the live calls (number, name, state, time\n" +
			"connected so far), the number of live and missed calls, and every problem phoned has diagnosed.\n" +
			"With -json it also lists the bus's clients and their traffic (frames, messages by name)."},
	{name: "calls", usage: []string{"calls"}, summary: "the call list",
		about: "Lists the calls (id, state, number, caller name, service, call type, direction, start time,\n" +
			"time connected, and why an ended call ended), oldest first, and the missed-call count.\n" +
			"DURATION runs from the call's connection to its end (for a live call: so far); '-' for a call\n" +
			"never connected. Text from the network is shown with control characters escaped."},
	{name: "dial", usage: []string{"dial NUMBER [-type T]"}, min: 1, max: 1, flags: []string{"type"},
		summary: "place a call (phoned picks the service)",
		about: "Asks phoned to place a call to NUMBER; phoned makes the dial decision across the call\n" +
			"policy managers. Prints ID<TAB>service<TAB>callType. When several services can place the\n" +
			"call, it exits 3 and lists their call types: dial again with -type naming one."},
	{name: "flight", usage: []string{"flight on|off"}, min: 1, max: 1,
		summary: "turn flight mode on or off (kept across reboots)",
		about: "Asks phoned to turn flight mode on or off: the radio goes to airplane and off, and emergency\n" +
			"numbers are refused at once while it is on (VoIP calls still go through). The request is kept\n" +
			"across reboots. A hardware flight switch that is on cannot be overridden: turn the switch off."},
	{name: "answer", usage: []string{"answer [-call ID]"}, flags: []string{"call"}, sel: &selAnswer,
		summary: "answer " + selAnswer.describe()},
	{name: "hangup", usage: []string{"hangup [ID]"}, max: 1, flags: []string{"call"}, sel: &selHangup,
		summary: "end " + selHangup.describe()},
	{name: "hold", usage: []string{"hold [-call ID]"}, flags: []string{"call"}, sel: &selHold,
		summary: "hold " + selHold.describe()},
	{name: "activate", usage: []string{"activate [ID]"}, max: 1, flags: []string{"call"}, sel: &selActivate,
		summary: "resume " + selActivate.describe()},
	{name: "tone", usage: []string{"tone DIGITS [-call ID]"}, min: 1, max: 1, flags: []string{"call"}, sel: &selTone,
		summary: "send DTMF DIGITS on " + selTone.describe()},
	{name: "transfer", usage: []string{"transfer NUMBER [-call ID]"}, min: 1, max: 1, flags: []string{"call"}, sel: &selTransfer,
		summary: "transfer " + selTransfer.describe() + " to NUMBER"},
	{name: "wait", usage: []string{"wait STATE [-call ID] [-timeout D]", "wait -service NAME STATE [-timeout D]"},
		min: 1, max: 1, flags: []string{"call", "service"},
		summary: "wait for a call state (default: " + waitWatches + ")", summary2: "wait for a service's registration state",
		about: "Waits until the call is in STATE: Incoming, Dialing, Alerting, Connected, Hold, HangupLocal,\n" +
			"HangupRemote, Missed, NetworkFailure, OtherFailure or ServiceHangup.\n" +
			"With -call ID it watches that call, and fails at once when the call has ended in another\n" +
			"state or is past STATE (a Connected call can no longer be Alerting), saying the state it is in.\n" +
			"Without -call it watches " + waitWatches + "; a call that was already past STATE\n" +
			"when the wait began is skipped (the wait is for a newer call, such as the next Incoming one),\n" +
			"and the watched call failing as above ends the wait at once.\n" +
			"With -service NAME it waits for NAME's registration state: None, Home, Searching, Denied,\n" +
			"Unknown or Roaming. -timeout (default 10s) is how long it waits."},
	{name: "register", usage: []string{"register SERVICE"}, min: 1, max: 1, summary: "ask SERVICE to register (automatic operator mode)"},
	{name: "deregister", usage: []string{"deregister SERVICE"}, min: 1, max: 1, summary: "ask SERVICE to deregister"},
	{name: "help", usage: []string{"help [COMMAND]"}, max: 1, summary: "the commands, or one command's usage and flags"},
}

// waitWatches says which call wait watches without -call.
const waitWatches = "the newest call"

func lookup(name string) (*spec, bool) {
	for i := range specs {
		if specs[i].name == name {
			return &specs[i], true
		}
	}
	return nil, false
}

const synopsis = "usage: phonectl [-config DIR] [-runtime DIR] [-json] [-timeout D] COMMAND [ARGS]"

// writeHelp prints the command list and the common flags.
func writeHelp(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintln(w, synopsis)
	fmt.Fprintln(w, "\ncommands:")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, s := range specs {
		for i, u := range s.usage {
			sum := s.summary
			if i > 0 {
				sum = s.summary2
			}
			fmt.Fprintf(tw, "  %s\t%s\n", u, sum)
		}
	}
	tw.Flush()
	fmt.Fprintln(w, "\nflags (before or after the command's arguments):")
	writeFlags(w, fs, commonFlags)
	fmt.Fprintln(w, "\n\"phonectl help COMMAND\" shows a command's usage and flags.")
	fmt.Fprintln(w, "exit status: 0 done, 1 failed (one line on standard error says why), 2 usage error,")
	fmt.Fprintln(w, "3 dial needs a call type (several services can place the number; dial again with -type).")
}

// writeCommandHelp prints one command's usage, what it does and its flags.
func writeCommandHelp(w io.Writer, fs *flag.FlagSet, s *spec) {
	for i, u := range s.usage {
		if i == 0 {
			fmt.Fprintln(w, "usage: phonectl "+u)
		} else {
			fmt.Fprintln(w, "       phonectl "+u)
		}
	}
	fmt.Fprintln(w)
	about := s.about
	if about == "" {
		about = strings.ToUpper(s.summary[:1]) + s.summary[1:] + "."
	}
	fmt.Fprintln(w, about)
	if s.sel != nil {
		fmt.Fprintf(w, "Without an ID it acts on %s; a call named by ID must be %s.\n", s.sel.describe(), s.sel.allowed())
	}
	if len(s.flags) > 0 {
		fmt.Fprintln(w, "\nflags:")
		writeFlags(w, fs, s.flags)
	}
	fmt.Fprintf(w, "\ncommon flags: -%s (see phonectl help)\n", strings.Join(commonFlags, ", -"))
}

// dirFlags name the argument of runenv's flags.
var dirFlags = map[string]string{"config": "DIR", "runtime": "DIR"}

func writeFlags(w io.Writer, fs *flag.FlagSet, names []string) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, n := range names {
		f := fs.Lookup(n)
		if f == nil {
			continue
		}
		arg, use := flag.UnquoteUsage(f)
		if dir, ok := dirFlags[n]; ok {
			arg = dir
		}
		def := ""
		if f.DefValue != "" && f.DefValue != "false" {
			def = fmt.Sprintf(" (default %s)", f.DefValue)
		}
		fmt.Fprintf(tw, "  -%s %s\t%s%s\n", f.Name, arg, use, def)
	}
	tw.Flush()
}
