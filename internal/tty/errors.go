package tty

import "errors"

// ErrNotTerminal means the file is not a terminal (a pipe or a regular
// file), so it has no mode to save or set.
var ErrNotTerminal = errors.New("tty: not a terminal")
