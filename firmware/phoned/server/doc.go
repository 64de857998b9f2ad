// Package server is phoned, the phone server, as a library: it hosts
// the bus (value space and qcop), launches and supervises the telephony
// agents named by <config>/services/Telephony/<program> files, runs one
// call policy manager per service and makes the dial decision across them,
// keeps the call list under /Communications/Calls, and recognises the
// common integration mistakes of a third-party agent (the troubleshooting
// table of Qt Extended's VoIP integration guide), saying so in plain words
// in its log and under /Telephony/Diagnostics for phonectl status.
//
// phoned reads the value space it hosts in process: it subscribes to the
// tree directly, serves its control channel and follows the agents' call
// channels with bus.Server.Handle, and keeps a typed view of each service
// (interfaces, call types, registration state, validity) up to date from
// the batches, on one dispatch goroutine. It is no client of its own
// socket, so a dialled number crosses the socket twice: phonectl → phoned,
// phoned → agent. Which call policy manager a service gets is data
// (Telephony.conf [Managers], see telephony/policy).
//
// firmware/phoned's main hands its arguments to Main.
//
// Supervision follows gokrazy's contract: an agent that exits 0 is done,
// 125 means "do not restart me", anything else (another code, a signal) is
// restarted after a backoff that doubles up to a maximum. Agents are started
// with the parent-death signal set, from one locked OS thread, so they die
// with phoned and a phoned restarted by uinit starts fresh ones.
//
// phoned attributes a service to the program whose bus client name
// (bus.ClientOptions.Name) is the program's name, the file name of its
// service file; the "never initialized" diagnostic relies on it.
//
// Calls that were never announced cannot be seen by listening: phoned asks
// every call provider for its calls (listCalls) when the service appears and
// every Options.CallCheck, and reports a call that is still in state Idle at
// the next look. The phone library could rule the mistake out with a
// constructor that creates and announces an incoming call in one step;
// telephony.CallProvider.NewCall registers a call without announcing it.
//
// The user-facing description is docs/console.md.
package server
