package fdt

import "errors"

var (
	// ErrFormat is a DTB that does not follow the specification: a bad
	// magic, an offset or length outside the blob, an unknown token.
	ErrFormat = errors.New("fdt: not a valid device tree blob")
	// ErrPhandle is a reference to a phandle that no node has.
	ErrPhandle = errors.New("fdt: no node has this phandle")
	// ErrProperty is a property whose value does not have the shape its
	// binding gives it (e.g. a cell list of the wrong length).
	ErrProperty = errors.New("fdt: malformed property")
)
