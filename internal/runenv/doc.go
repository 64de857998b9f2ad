// Package runenv gives every Ringo program the same view of where things
// are: the configuration directory (-config, RINGO_CONFIG, default
// /etc/ringo), the runtime directory holding the bus socket (-runtime,
// RINGO_RUNTIME, default /run/ringo) and the state directory kept across
// reboots (-state, RINGO_STATE, default /var/lib/ringo/state), so that the whole stack runs
// unprivileged on a development host as well as on the handset.
package runenv
