package sdcard

import "errors"

var (
	// ErrInput is an input file that is not what the image needs (not an
	// arm64 kernel Image, an SPL without a valid eGON header, a package
	// without the board's U-Boot).
	ErrInput = errors.New("sdcard: bad input")
	// ErrTooBig is a set of files whose load areas do not fit where U-Boot
	// can put them.
	ErrTooBig = errors.New("sdcard: does not fit")
	// ErrUnknownBoard is a board with no SD-card image description.
	ErrUnknownBoard = errors.New("sdcard: no SD-card image for this board")
	// ErrTool is an outside program that is missing or failed.
	ErrTool = errors.New("sdcard: tool failed")
)
