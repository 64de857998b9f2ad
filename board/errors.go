package board

import (
	"errors"
	"fmt"
)

var (
	// ErrUnknownBoard means no board description matches.
	ErrUnknownBoard = errors.New("board: unknown board")
	// ErrNoDeviceTree means the machine exposes no device-tree compatible.
	ErrNoDeviceTree = errors.New("board: no device tree")
	// ErrModuleMissing is what a ModuleLoader returns for a module the
	// image does not contain.
	ErrModuleMissing = errors.New("board: module not in image")
	// ErrInvalid is what every DataError is: a board description that
	// cannot be brought up as written.
	ErrInvalid = errors.New("board: invalid board description")
	// ErrGPIOSim reports a gpio-sim chip that could not be made or
	// driven.
	ErrGPIOSim = errors.New("board: gpio-sim")
	// ErrNone is why a part the board lacks is skipped at bring-up.
	ErrNone = errors.New("none on this board")
	// ErrNoOpener is why a part is skipped when bring-up was given no
	// opener for its kind.
	ErrNoOpener = errors.New("not opened here (no opener given)")
)

// DataError is one thing wrong with a board description: which board,
// which part, what. It matches ErrInvalid with errors.Is.
type DataError struct {
	Board, Part string
	Problem     string
	// Err is the error the problem came from, if any.
	Err error
}

func (e *DataError) Error() string {
	return fmt.Sprintf("board %s: %s: %s", e.Board, e.Part, e.Problem)
}

// Is makes a DataError match ErrInvalid.
func (e *DataError) Is(target error) bool { return target == ErrInvalid }

// Unwrap returns the error the problem came from.
func (e *DataError) Unwrap() error { return e.Err }
