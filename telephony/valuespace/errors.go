package valuespace

import "errors"

var (
	// ErrBadPath reports a path that is not absolute, has an empty segment,
	// contains a NUL byte or is too long.
	ErrBadPath = errors.New("valuespace: bad path")
	// ErrRootValue reports an attempt to store a value at the root "/".
	ErrRootValue = errors.New("valuespace: the root cannot hold a value")
	// ErrBadValue reports a value with an unknown kind (the zero Value).
	ErrBadValue = errors.New("valuespace: invalid value")
)
