// Package sim is the scripted AT modem of tools/modemsim: a GSM voice
// modem as far as a voice agent can tell (3GPP TS 27.007 and V.250 over a
// serial line), for CI and for users who have no modem. Main is the whole
// program; docs/modemsim.md is its manual.
//
// A Modem holds the state a real one has: the SIM (present, PIN or PUK
// locked, with an EF_ECC list), the radio (AT+CFUN), the network
// registration (+CREG, +COPS with an operator list), and up to seven
// voice calls (+CLCC, ATD, ATA, AT+CHUP, AT+CHLD, AT+VTS), with the URCs
// a modem sends (RING, +CLIP, +CCWA, +CREG, NO CARRIER, BUSY). It serves
// one line at a time (Serve): the master of a pseudo-terminal (ServePTY),
// or a unix socket's connection (ServeSocket, what QEMU's virtio console
// connects to). A test or a person drives it with control commands
// (Control: "ring 5551234 Alice", "drop", "deregister", "vanish 2s", ...)
// over a control socket, standard input or a script. It logs every
// command line it receives, PINs redacted, so that a test can assert
// what was sent and what never was.
//
// The modem's state is guarded by one mutex, held only while a command or
// a control changes it; what it writes goes through the line's own queue
// and writer goroutine, so a line nobody reads never blocks it. Timers
// (registration, ringing, the far end answering) run on an injected clock.
package sim
