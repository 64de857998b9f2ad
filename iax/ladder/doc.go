// Package ladder draws IAX2 traffic as a ladder diagram (a sequence
// diagram, as sngrep and Wireshark's VoIP flows show calls): one column
// per party, one row per frame with its key information elements, the
// time since the first datagram, frames sent again and frames missing
// from the sequence numbers marked, and voice summarised as one row per
// direction ("voice ×250 (5.0 s)") for as long as no call signalling
// comes between.
//
// Its input is a list of datagrams: a capture read with ReadCapture
// (pcap or pcapng, as tcpdump, tshark, iaxcli -pcap and iaxpbx -pcap
// write them) or what an endpoint's iax.Config.Trace saw. AES-128
// encrypted calls are decrypted with the account's secret (Options);
// without it their frames show as "encrypted". Build makes the Ladder;
// Text draws it for an 80-column console and SVG as a picture with the
// same rows. tools/iaxcli's "ladder" mode is the command line of it.
package ladder
