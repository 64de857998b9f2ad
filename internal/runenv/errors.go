package runenv

import "errors"

// ErrNoBus reports that nobody serves the bus socket: phoned is not running
// (or runs with another runtime directory).
var ErrNoBus = errors.New("phoned is not running")

// ErrBusDenied reports a bus socket this user may not open.
var ErrBusDenied = errors.New("permission denied on the bus socket")

// ErrBusFull reports a phoned at its client limit.
var ErrBusFull = errors.New("phoned is at its client limit")
