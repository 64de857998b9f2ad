// Package pbx is the embedded IAX2 peer behind tools/iaxpbx: a registrar
// with a handful of fixed extensions, for demos and for the end-to-end
// tests of the handset's IAX2 agent and of iaxcli. It is not a PBX for
// production (that is Asterisk's job); it only does what tests and demos
// need, and logs one line per event.
//
// Extensions:
//
//	600   echo: every voice frame comes back as it was sent
//	601   a 1004 Hz test tone at -6 dBov in μ-law (or A-law)
//	602   record the caller to a WAV file (8 kHz mono 16-bit)
//	100   answer, send DTMF 1 2 3, hang up
//	NAME or NUMBER of a user: ring that user where it registered
//
// A blind transfer (the IAX TRANSFER command) is honoured: on a call
// between two users, the party that asks is released and the other one is
// connected to the extension it named; on a call to an extension, the
// caller is moved to the extension it named.
//
// Users, their secrets and whether they must do the calltoken round come
// from a Config, which ParseConfig reads from a small INI file.
package pbx
