//go:build !linux

package main

import (
	"context"
	"errors"
	"io"
)

var errLinuxOnly = errors.New("hwcheck needs Linux")

func gpioSim(context.Context, []string, io.Writer) error  { return errLinuxOnly }
func i2cCheck(context.Context, []string, io.Writer) error { return errLinuxOnly }
