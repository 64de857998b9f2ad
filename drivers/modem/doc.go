// Package modem is the AT command channel to a cellular modem (3GPP TS
// 27.007 and ITU-T V.250 over a serial line): the one way Ringo talks to
// a modem. firmware/modemagent builds the telephony service "modem" on it;
// tools/modemsim is a scripted modem that speaks the other end.
//
// A Channel is handed a port, an io.ReadWriteCloser (a tty opened by
// OpenPort, a unix socket, or a test's pipe), and owns one goroutine that
// reads it. Command sends one command line and waits, with a per-command
// timeout (Options.Timeout on the injected clock, CommandWithin's own, or
// the context's deadline if sooner), for its final result: OK, CONNECT, ERROR, +CME ERROR: n,
// +CMS ERROR: n, or for a dial NO CARRIER, BUSY, NO ANSWER and NO
// DIALTONE. The lines between the command and its result come back in the
// Response; an error result is a *ResultError, a timeout a *TimeoutError.
// Unsolicited result codes (RING, +CLIP, +CCWA, +CREG, NO CARRIER outside
// a dial, ...) that arrive in between, or at any time, are delivered
// separately on URCs. Echo (ATE1) is recognised and dropped.
//
// The channel is robust against a bad line: lines longer than
// Options.MaxLine are discarded (memory stays bounded whatever the modem
// sends), a response keeps at most Options.MaxLines lines, and URCs the
// consumer does not take in time are dropped and counted rather than
// blocking the reader. A command that gets no answer (the modem went
// silent, or reset mid-command) fails with a timeout and the channel stays
// usable: before the next command it checks the modem answers a bare AT
// and waits Options.Settle for a late answer to arrive, so that a late
// result is not taken for the next command's.
//
// The AT trace (slog at debug level, category "modem") never shows a
// secret: the arguments of AT+CPIN, AT+CPIN2, AT+CLCK and AT+CPWD are
// written as "****" (Redact), in the trace, in errors and in the echo.
//
// The parsers of the result lines the agent needs (+CREG, +COPS, +CLCC,
// +CLIP, +CCWA, +CPIN, +CRSM and the SIM's EF_ECC) are in gsm.go; every
// parser is fuzzed.
//
// Why not github.com/warthog618/modem's at package: it cannot be
// cancelled by a context, reads lines with a bufio.Scanner that ends the
// connection for good on one overlong line (10 MB of noise would kill it),
// attributes a late result to the next command after a timeout, treats NO
// CARRIER after a voice dial as a command's result, and has no way to keep
// a PIN out of its trace.
package modem
