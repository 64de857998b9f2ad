// Package udprelay is a small impairing UDP relay for tests: it sits
// between a client and a server on loopback and drops, duplicates and
// reorders datagrams in both directions with probabilities drawn from a
// seeded random source, so that a failing run can be replayed with the
// same seed.
//
// The decisions are made by an Impairer, which is independent of sockets
// and time and can be tested alone; Relay puts one Impairer on each
// direction of a pair of UDP sockets. A reordered datagram is held back
// and released right after the next datagram of the same direction, or
// when its hold time (on an injected clock) runs out, whichever comes
// first.
//
// The relay gives every client address its own upstream socket, so the
// server sees one distinct peer per client, as it would through a NAT.
package udprelay
