// Package cli is tools/iaxcli, the diagnostic IAX2 client: the first
// thing to run to check an Asterisk account (or iaxpbx) from a host.
//
//	iaxcli register -server HOST[:PORT] -user U [-secret S]
//	iaxcli call     -server ... -user U -dial EXT [-duration 5s] [-send IN.wav] [-record OUT.wav]
//	                [-dtmf 123] [-hold-at 1s -resume-at 2s] [-transfer EXT -transfer-at 1s]
//	iaxcli listen   -server ... -user U [-duration 30s] [-send IN.wav] [-record OUT.wav]
//
// Each mode prints the protocol steps it takes (the IAX commands sent and
// received), the call states and every DTMF digit received ("dtmf 1"),
// and ends with a one-line summary of the registration or call: full
// frames sent and received, retransmissions, loss, jitter and round-trip
// time. The secret comes from -secret, the IAX_SECRET environment
// variable, a prompt without echo on a terminal, or the first line of
// standard input; it is never printed.
//
// Audio is 8 kHz mono 16-bit WAV, sent and recorded in 20 ms frames of
// G.711 as the call agreed.
package cli
