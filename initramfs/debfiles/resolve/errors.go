package resolve

import "errors"

var (
	// ErrList is a malformed line in a file list.
	ErrList = errors.New("bad file list")
	// ErrNoMatch is a listed path or glob that matches nothing in its
	// package.
	ErrNoMatch = errors.New("matches nothing")
	// ErrMissing is a library that no package holds where the loader
	// looks for it.
	ErrMissing = errors.New("library not found")
	// ErrELF is an ELF file the loader could not use: the wrong machine,
	// or not ELF where a library is needed.
	ErrELF = errors.New("unusable ELF file")
	// ErrPackage is a package that could not be fetched or unpacked.
	ErrPackage = errors.New("package not available")
)
