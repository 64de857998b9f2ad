// Package agent is the Asterisk VoIP agent that firmware/iaxagent runs
// (Main is the whole program): the seed's integration of an IAX2 stack
// into the telephony model, on Ringo's own iax, telephony and
// drivers/audio packages.
//
// On Telephony::start it creates the service "asterisk" (holding a running
// task, so the program stays alive) with NetworkRegistration,
// Configuration, ServiceChecker and a CallProvider publishing the call type
// "Asterisk"; IAX2 has no presence, so there is no Presence interface. On
// Telephony::stop it releases the registration, ends the calls, releases
// the task, and the program exits 0.
//
// One goroutine (the loop) owns all of the agent's state. Requests from the
// bus, IAX2 events and timers reach it as functions on a channel, so nothing
// holds a lock across I/O and the order of events is the order they happen.
// Input from outside is bounded and checked: calls are taken only from the
// registered server, a caller id is escaped before it is published,
// numbers and tones are checked again (a client need not go through
// phoned), and a closed log pipe sends the log to a file instead of
// killing the program (logsink.go). Between refreshes a liveness check
// asks the server whether it is there.
//
// The registration's state machine is in registration_fsm.go, each call's
// in call_fsm.go: one state field each, assigned by one transition
// function that is the table in its comment.
package agent
