// Package ui is the logic of phoneui, the call screen on the handset's
// console: a status bar, the dialer, the call-type chooser, the call
// screen and the call history, drawn on a terminal through tcell.
//
// It is a bus client like any other and uses the public phone API only:
// it folds the value space phoned and the services publish (the policy
// managers' /Telephony/Status/<service>/icon and registrationMessage,
// flight mode, radio power, /Communications/Calls with its missed-call
// count, the keypad's /Hardware/Keypad/Digits) into what it shows, asks
// phoned to dial (phoneapi.Dial, which answers with the call types to
// choose from when several services can place a number), and sends call
// requests (answer, hang up, hold, resume, tones, transfer) to the call's
// service through telephony.Manager.
//
// Everything that can change arrives as an event on one loop: keys from
// the terminal, value-space batches, the answers to requests, and clock
// ticks (one a minute for the time in the status bar, one a second only
// while a call's duration is shown). After each round of events the loop
// renders the whole screen as text (view.go) and hands it to tcell, which
// sends the terminal only the cells that changed; a round that changes
// nothing sends nothing. Text from the network (numbers, names, reasons,
// registration messages) is made printable with telephony.Printable before
// it is shown.
//
// Requests run on one worker goroutine, in the order they were asked, so
// that the loop never waits on the bus. The bus link (link.go) reconnects
// when phoned restarts and the screen says that it is waiting.
package ui
