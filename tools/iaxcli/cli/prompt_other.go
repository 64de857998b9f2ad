//go:build !linux

package cli

import (
	"os"

	"golang.org/x/term"
)

// readSecretNoEcho prompts and reads a line without echo.
func readSecretNoEcho(f *os.File, prompt func()) (string, error) {
	prompt()
	b, err := term.ReadPassword(int(f.Fd()))
	return string(b), err
}
