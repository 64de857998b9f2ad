package cli

import (
	"bytes"
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/ringo-phone/ringo/iax"
)

// A call to a port where nothing listens fails at once: the call's
// state line and the error say so, with what to check.
func TestCallNothingListening(t *testing.T) {
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	server := c.LocalAddr().String()
	c.Close()
	var out bytes.Buffer
	err = Run(t.Context(), []string{"call", "-server", server, "-user", "u", "-secret", "s", "-dial", "600",
		"-local", "127.0.0.1:0", "-rtx-initial", "30s"}, &Env{Stdout: &out})
	if !errors.Is(err, ErrCallFailed) || !errors.Is(err, iax.ErrUnreachable) {
		t.Fatalf("call to a closed port = %v, want ErrCallFailed and iax.ErrUnreachable", err)
	}
	if want := "nothing listening at " + server + " (ICMP port unreachable): " + adviceUnreachable; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not say %q", err, want)
	}
	for _, want := range []string{"\nstate failed: nothing listening at " + server + " (ICMP port unreachable)\n",
		"summary: call frames sent 1 received 0 retransmissions 0 "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output has no %q:\n%s", want, out.String())
		}
	}
}

// What to do is added once, to the errors that need it.
func TestWithAdvice(t *testing.T) {
	unreachable := &iax.UnreachableError{}
	noAnswer := &iax.NoAnswerError{}
	denied := &iax.DeniedError{Cause: "no"}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{unreachable, unreachable.Error() + ": " + adviceUnreachable},
		{noAnswer, noAnswer.Error() + ": " + adviceNoAnswer},
		{denied, denied.Error()},
	} {
		got := withAdvice(tc.err)
		if got.Error() != tc.want || !errors.Is(got, tc.err) {
			t.Errorf("withAdvice(%v) = %q, want %q wrapping it", tc.err, got, tc.want)
		}
	}
}
