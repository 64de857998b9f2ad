// Package agent is the cellular modem agent that firmware/modemagent runs
// (Main is the whole program): the telephony service "modem", made of a
// GSM voice modem's AT command channel (drivers/modem) and Ringo's
// telephony library, as the Asterisk agent is made of IAX2.
//
// On Telephony::start it creates the service "modem" (holding a running
// task, so the program stays alive) with NetworkRegistration (from +CREG
// and +COPS, with the operator list of AT+COPS=? and manual selection),
// Configuration (update("pin") re-reads the PIN), ServiceChecker (the SIM
// is present and unlocked) and a CallProvider publishing the call type
// "Voice". On Telephony::stop it hangs up the calls, withdraws the
// service, releases the task, and the program exits 0.
//
// One goroutine (the loop) owns all of the agent's state; bus requests,
// URCs and timers reach it as functions on a channel. AT commands run on
// a second goroutine, the worker, one job after the other in the order
// the loop queued them, and their results come back to the loop, so the
// loop never waits on the modem and nothing holds a lock across I/O.
//
// The agent's state machines are written as their states are named, one
// file each, one transition function each with its table in the comment:
// the modem link (link_fsm.go: the port opened, the modem set up, lost
// and opened again with backoff), the SIM (sim_fsm.go: +CPIN, the PIN
// from <config>/modem-pin sent at most once per PIN, PUK a state, not a
// retry loop), the registration (registration_fsm.go: +CREG as
// QTelephony::RegistrationState) and each call (call_fsm.go: +CLCC as
// QPhoneCall::State). Every change of a call is announced inside a state
// transaction.
//
// Calls are followed by polling AT+CLCC while there are any, and at once
// after a URC that says something changed (RING, +CLIP, +CCWA, NO
// CARRIER, BUSY). A new agent finds the calls the modem still has (a
// restart after a crash) in its first AT+CLCC and carries them on.
//
// A number reaches ATD only after telephony.CheckNumber and
// modem.CheckDialNumber (digits, '*', '#', a leading '+'; at most
// telephony.MaxNumberLen): a ';' or a line break of a caller's could
// otherwise end the dial string and start another command. The PIN is
// never logged, published or traced (the trace shows AT+CPIN=****).
package agent
