//go:build !linux

package check

import (
	"context"
	"errors"

	"github.com/ringo-phone/ringo/internal/command"
)

var errLinuxOnly = errors.New("hwcheck needs Linux")

func gpioSim(_ context.Context, args []string, env command.Env) error {
	fs := gpioSimFlags()
	if code, ok := command.Parse(fs, args, env); !ok {
		return command.ExitError{Code: code}
	}
	if err := gpioSimArgs(fs); err != nil {
		return err
	}
	return errLinuxOnly
}

func i2cCheck(_ context.Context, args []string, env command.Env) error {
	fs, f := i2cFlags()
	if code, ok := command.Parse(fs, args, env); !ok {
		return command.ExitError{Code: code}
	}
	if err := f.check(fs); err != nil {
		return err
	}
	return errLinuxOnly
}

func i2cRead(_ context.Context, args []string, env command.Env) error {
	fs, a, regs := i2cReadFlags()
	if code, ok := command.Parse(fs, args, env); !ok {
		return command.ExitError{Code: code}
	}
	if err := a.check(fs, *regs); err != nil {
		return err
	}
	return errLinuxOnly
}

func pulse(_ context.Context, args []string, env command.Env) error {
	fs, a := pulseFlags()
	if code, ok := command.Parse(fs, args, env); !ok {
		return command.ExitError{Code: code}
	}
	if err := a.check(fs); err != nil {
		return err
	}
	return errLinuxOnly
}

func systemProber() (prober, error) { return nil, errLinuxOnly }
