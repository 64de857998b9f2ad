package logcat

import "errors"

// ErrBadSpec reports a level specification that does not parse.
var ErrBadSpec = errors.New("logcat: bad level specification")
