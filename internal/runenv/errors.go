package runenv

import "errors"

// ErrNoBus reports that nobody serves the bus socket: phoned is not running
// (or runs with another runtime directory).
var ErrNoBus = errors.New("phoned is not running")
