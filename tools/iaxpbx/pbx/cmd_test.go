package pbx

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func TestMainRefusesBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-listen", "127.0.0.1:0", "-no-calltoken", "nobody"},
		{"-listen", "127.0.0.1:0", "-user", "nosecret"},
		{"-listen", "127.0.0.1:0", "-log-level", "loud"},
		{"-listen", "127.0.0.1:0", "extra"},
		{"-config", "/nonexistent/iaxpbx.conf"},
	} {
		err := Main(t.Context(), args, strings.NewReader(""), io.Discard)
		if !errors.Is(err, ErrConfig) {
			t.Errorf("Main(%q) = %v, want ErrConfig", args, err)
		}
	}
}
