// Package phonectl is the console's phone control, the logic of
// firmware/phonectl: it reads what phoned and the telephony services
// publish in the value space (services, registration, call types, the call
// list, phoned's diagnostics), asks phoned to dial (phoned owns the dial
// decision), sends call requests straight to the service that holds the
// call, and waits for call or registration states. Every failure is one
// line of plain words and a non-zero exit; -json prints machine-readable
// results.
package ctl
