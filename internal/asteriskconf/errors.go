package asteriskconf

import "errors"

var (
	// ErrInvalid wraps every validation failure; the message names the key.
	ErrInvalid = errors.New("asteriskconf: invalid")
	// ErrInsecure means the file is readable or writable by others.
	ErrInsecure = errors.New("asteriskconf: file readable by others")
	// ErrNotFound means there is no Asterisk.conf yet.
	ErrNotFound = errors.New("asteriskconf: no Asterisk.conf")
)
