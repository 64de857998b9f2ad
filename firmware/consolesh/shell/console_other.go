//go:build !linux

package shell

import (
	"context"
	"os"

	"github.com/ringo-phone/ringo/internal/command"
)

func isTerminal(*os.File) bool { return false }

func interactive(ctx context.Context, term *os.File, env command.Env) int {
	runner, err := newRunner(env, term, nil, nil)
	if err != nil {
		return command.Exit(env, "consolesh", err)
	}
	return status(env, runScript(ctx, runner, term, ""))
}
