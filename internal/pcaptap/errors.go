package pcaptap

import "errors"

// ErrNotIPv4 reports an address that cannot be written in an IPv4 header.
var ErrNotIPv4 = errors.New("pcaptap: only IPv4 addresses can be recorded")
