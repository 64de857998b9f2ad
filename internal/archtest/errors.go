package archtest

import (
	"errors"
	"fmt"
)

var (
	// ErrGoList: the go command could not list the packages.
	ErrGoList = errors.New("archtest: go list failed")
	// ErrBroken: a package does not parse or type-check, so its imports
	// or its exported API cannot be judged.
	ErrBroken = errors.New("archtest: packages have errors (fix them, then run the check again)")
)

// broken wraps every package error under ErrBroken, so that a reader sees
// all of them at once.
func broken(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("%w:\n%w", ErrBroken, errors.Join(errs...))
}
