// Package explorer is vsexplorer (firmware/vsexplorer is its main), the
// value-space explorer of the serial console after Qt Extended's
// vsexplorer: ls, get, set, rm and watch as one-shot commands, and an
// interactive shell with cd, ls, pwd, get, set, rm and watch. Values are
// typed as valuespace.Parse reads them (true/false, integers, "quoted
// strings", [a, b] lists, anything else a plain string), and printed
// quoted, so control characters in them show escaped; so do paths.
//
// clients shows the bus's traffic counters (bus.Client.Stats): each
// connected client by id and the closed ones added up by name, with the
// frames each way and the qcop messages sent and received by name.
//
// set goes through phoned, which owns the value so that it outlives the
// explorer (an entry belongs to the bus connection that wrote it and
// vanishes with it); rm removes whatever is at the path.
//
// Main catches ^C itself: outside the shell it ends the command, in the
// shell it stops a watch and the shell goes on. -h and help print the
// usage and exit 0; a usage mistake exits 2.
package explorer
