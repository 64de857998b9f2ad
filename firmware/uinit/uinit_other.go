//go:build !linux

package main

import (
	"context"
	"errors"
)

func run(ctx context.Context, args []string) error {
	return errors.New("uinit runs only on Linux")
}
