//go:build !linux

package runenv

import (
	"fmt"
	"os"
)

func whoami() string { return fmt.Sprintf("uid %d", os.Getuid()) }

func socketOwner(path string) string {
	fi, err := os.Stat(path)
	if err != nil {
		return "the socket cannot be read: " + err.Error()
	}
	return fmt.Sprintf("the socket is %04o", fi.Mode().Perm())
}
