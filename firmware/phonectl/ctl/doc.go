// Package ctl is phonectl, the console's phone control, as a library
// (firmware/phonectl is its main): it reads what phoned and the telephony
// services publish in the value space (services, registration, call types,
// the call list, phoned's diagnostics), asks phoned to dial (phoned owns
// the dial decision), sends call requests straight to the service that
// holds the call, and waits for call or registration states.
//
// Each command acts on the call its help names (the newest call that fits,
// or one named by ID): the selectors in select.go are both the code and
// the words of "phonectl help". Every failure is one line of plain words
// and exit 1; a usage mistake exits 2 before phonectl talks to phoned; a
// dial that several services can place exits 3 (phoneapi.ExitChoiceNeeded)
// with their call types; -json prints machine-readable results, whose
// lists are [] and never null.
//
// Every text that comes from the network or a user (numbers, caller
// names, end reasons, problems) is printed through telephony.Printable, so
// that a caller id holding terminal escapes is shown escaped.
package ctl
