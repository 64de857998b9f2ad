package board

import "errors"

var (
	// ErrUnknownBoard means no board description matches.
	ErrUnknownBoard = errors.New("board: unknown board")
	// ErrNoDeviceTree means the machine exposes no device-tree compatible.
	ErrNoDeviceTree = errors.New("board: no device tree")
	// ErrModuleMissing is what a ModuleLoader returns for a module the
	// image does not contain.
	ErrModuleMissing = errors.New("board: module not in image")
)
