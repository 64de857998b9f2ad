// Package pcaptap records what a UDP socket sends and receives as a
// classic pcap file, so that a program's own traffic can be read with
// tshark without capture privileges: Conn wraps a net.PacketConn and
// writes every datagram, with IPv4 and UDP headers made up from the
// socket's and the peer's addresses, as it passes.
//
// The file uses the raw-IP link type (101). Each record is written as one
// write call, so a file cut short by a killed process holds every
// datagram up to the last one.
package pcaptap
