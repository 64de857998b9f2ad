// Package settings is iaxsettings, the settings program of the Asterisk
// VoIP agent (firmware/iaxsettings is its main), as Qt Extended's
// examples/asterisk had one: it shows and changes the account in
// <config>/Asterisk.conf and tells the running agent to reload.
//
//	iaxsettings show
//	iaxsettings set [-server HOST[:PORT]] [-port N] [-user U] [-password -] [-auto|-manual]
//	                [-refresh SECONDS] [-emergency=true|false]
//	                [-callerid-name N] [-callerid-number N]
//	iaxsettings register | deregister
//
// The password is read from standard input (`-password -`), without echo on
// a terminal; it never appears on the command line, in logs or in the value
// space. -h and help print the usage and exit 0; a usage mistake exits 2.
package settings
