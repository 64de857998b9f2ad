// Package qcop is Qt Extended's service messaging on the Ringo bus:
// channels, messages with typed arguments, the per-program application
// channel QPE/Application/<program>, and the Telephony service whose
// start() and stop() messages phoned sends to every telephony agent.
//
// An agent's main is an Application: it handles Telephony::start() by
// registering a running task and initializing its telephony service, and
// Telephony::stop() by tearing it down and releasing the task; Run returns
// when the last running task is released, and the program exits 0.
//
// The transport is telephony/bus; the server holds messages for an
// application channel until the program listens, so phoned may send
// Telephony::start() right after launching the program.
package qcop
