// Package programtest holds only a test: that every Ringo program, on the
// handset and on the host, has the one program shape of internal/command
// as a user meets it. "-h" prints the usage on standard output and exits
// 0, a bad flag exits 2 with the reason on standard error, and a program
// with subcommands also answers "help". It builds the programs and runs
// them as processes, as the console would.
package programtest
