package pbx

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/iax"
	"github.com/ringo-phone/ringo/internal/proctest"
)

var testUsers = []User{
	{Name: "handset1", Secret: "s3cret", Number: "201", CallerName: "Handset One"},
	{Name: "handset2", Secret: "other", Number: "202"},
}

// start runs a PBX and a client endpoint on loopback.
func start(t *testing.T) (*PBX, *iax.Endpoint, *proctest.Buffer) {
	t.Helper()
	logs := new(proctest.Buffer) // the PBX's log
	p, err := Listen(t.Context(), "127.0.0.1:0", Config{Users: testUsers, RecordDir: t.TempDir(),
		DTMFDuration: 20 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	ep, err := iax.Listen(t.Context(), "127.0.0.1:0", iax.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ep.Close() })
	return p, ep, logs
}

func dial(t *testing.T, p *PBX, ep *iax.Endpoint, called string) *iax.Call {
	t.Helper()
	c, err := ep.Dial(iax.DialOptions{Peer: p.Addr(), Called: called, Username: "handset1", Secret: "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestEcho(t *testing.T) {
	p, ep, logs := start(t)
	c := dial(t, p, ep, "600")
	if err := c.Wait(t.Context()); err != nil {
		t.Fatalf("Wait() = %v", err)
	}
	for i := range 5 {
		payload := bytes.Repeat([]byte{byte(i + 1)}, 160)
		if err := c.SendVoice(payload); err != nil {
			t.Fatal(err)
		}
		select {
		case v := <-c.Voice():
			if !bytes.Equal(v.Payload, payload) {
				t.Fatalf("echo %d = %x..., want %x...", i, v.Payload[:4], payload[:4])
			}
		case <-t.Context().Done():
			t.Fatal("no echo")
		}
	}
	c.Hangup(0)
	p.Close()
	for _, want := range []string{"msg=call category=pbx", "called=600", "msg=answer", "msg=hangup"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log has no %q:\n%s", want, logs)
		}
	}
	if strings.Contains(logs.String(), "s3cret") {
		t.Error("the log holds a secret")
	}
}

func TestDigits(t *testing.T) {
	p, ep, _ := start(t)
	c := dial(t, p, ep, "100")
	var digits []byte
	for {
		select {
		case ev := <-c.Events():
			if ev.Type == iax.EventDTMFEnd {
				digits = append(digits, ev.Digit)
			}
			continue
		case <-c.Done():
		}
		break
	}
	for { // events that came with the end
		select {
		case ev := <-c.Events():
			if ev.Type == iax.EventDTMFEnd {
				digits = append(digits, ev.Digit)
			}
			continue
		default:
		}
		break
	}
	var he *iax.HangupError
	if string(digits) != "123" || !errors.As(c.Err(), &he) || he.CauseCode != iax.CauseNormal {
		t.Errorf("extension 100: digits %q, end %v; want 123 and a normal hangup", digits, c.Err())
	}
}

func TestUnknownExtensionRejected(t *testing.T) {
	p, ep, _ := start(t)
	c := dial(t, p, ep, "999")
	<-c.Done()
	var he *iax.HangupError
	if !errors.As(c.Err(), &he) || !he.Rejected || he.CauseCode != iax.CauseUnallocated {
		t.Errorf("call to 999: %v, want REJECT cause 1", c.Err())
	}
}

func TestUnregisteredUserRejected(t *testing.T) {
	p, ep, _ := start(t)
	c := dial(t, p, ep, "202")
	<-c.Done()
	var he *iax.HangupError
	if !errors.As(c.Err(), &he) || !he.Rejected || he.CauseCode != 20 {
		t.Errorf("call to an unregistered user: %v, want REJECT cause 20", c.Err())
	}
}

// A call to a user is bridged; the caller's transfer hands the callee to
// the echo, which then returns what the callee sends.
func TestCallUserAndTransfer(t *testing.T) {
	p, ep, logs := start(t)
	ep2, err := iax.Listen(t.Context(), "127.0.0.1:0", iax.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer ep2.Close()
	if _, err := ep2.Register(t.Context(), iax.RegisterOptions{Server: p.Addr(), Username: "handset2", Secret: "other"}); err != nil {
		t.Fatal(err)
	}
	c1 := dial(t, p, ep, "handset2")
	c2, err := ep2.Accept(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if info := c2.Info(); info.CallingNumber != "201" || info.CallingName != "Handset One" {
		t.Errorf("callee sees %q <%s>, want \"Handset One\" <201>", info.CallingName, info.CallingNumber)
	}
	c2.Answer()
	if err := c1.Wait(t.Context()); err != nil {
		t.Fatal(err)
	}
	c1.SendVoice([]byte{9, 9, 9})
	if v := <-c2.Voice(); !bytes.Equal(v.Payload, []byte{9, 9, 9}) {
		t.Fatalf("callee got %v", v.Payload)
	}
	if err := c1.Transfer("600"); err != nil {
		t.Fatal(err)
	}
	<-c1.Done()
	// c2 now talks to the echo.
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	for {
		c2.SendVoice([]byte{7, 7})
		select {
		case v := <-c2.Voice():
			if bytes.Equal(v.Payload, []byte{7, 7}) {
				c2.Hangup(0)
				p.Close()
				if !strings.Contains(logs.String(), "msg=transfer category=pbx") {
					t.Errorf("no transfer logged:\n%s", logs)
				}
				return
			}
		case <-ctx.Done():
			t.Fatal("the callee never reached the echo after the transfer")
		case <-time.After(20 * time.Millisecond): // send the next frame
		}
	}
}

func TestNewRefusesBadUsers(t *testing.T) {
	_, err := Listen(t.Context(), "127.0.0.1:0", Config{Users: []User{{Name: "a", Secret: "x"}, {Name: "a", Secret: "y"}}})
	if !errors.Is(err, ErrConfig) {
		t.Errorf("Listen with a user twice = %v, want ErrConfig", err)
	}
}
