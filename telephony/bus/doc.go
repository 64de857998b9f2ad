// Package bus is the one Unix-socket wire of the phone: it carries the value
// space (telephony/valuespace) and service messages (telephony/qcop) between
// phoned, which hosts the Server, and every other program, which uses a
// Client.
//
// Each client connection is a value-space owner: what it publishes vanishes
// the moment the connection ends, however it ends (Close, exit, kill -9). The
// server never lets one client hold up the others: each connection has its
// own reader, its own writer and a bounded outgoing queue. A client that
// sends a malformed or oversized message, or stops reading until its queue
// overflows, is disconnected and its entries are removed.
//
// The wire format (length-prefixed binary messages, a version handshake, a
// maximum message size) is described in docs/bus-protocol.md and implemented
// by Message.
package bus
