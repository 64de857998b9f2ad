package runenv

import (
	"fmt"
	"os"
	"syscall"
)

func whoami() string { return fmt.Sprintf("uid %d gid %d", os.Getuid(), os.Getgid()) }

// socketOwner says who owns path and its mode, as "the socket is 0660
// uid 0 gid 0".
func socketOwner(path string) string {
	fi, err := os.Stat(path)
	if err != nil {
		return "the socket cannot be read: " + err.Error()
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fmt.Sprintf("the socket is %04o", fi.Mode().Perm())
	}
	return fmt.Sprintf("the socket is %04o uid %d gid %d", fi.Mode().Perm(), st.Uid, st.Gid)
}
