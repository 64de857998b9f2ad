package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/ringo-phone/ringo/internal/clock"
	"github.com/ringo-phone/ringo/telephony"
	"github.com/ringo-phone/ringo/telephony/phoneapi"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

// waitLimit bounds every wait for the screen; the tests wait for frames,
// never sleep.
const waitLimit = 5 * time.Second

// t0 is the fake clock's start: a Wednesday, 30 seconds into 14:05.
var t0 = time.Date(2025, 6, 4, 14, 5, 30, 0, time.UTC)

// fakePhone is a strict Phone: every request must have been expected, in
// order, with the same arguments; it answers with the expectation's
// result. Requests left expected at the end fail the test.
type fakePhone struct {
	t       *testing.T
	mu      sync.Mutex
	want    []expectation
	changed chan struct{}
}

type expectation struct {
	call   string // "Dial 600 Alpha", "Hold asterisk c1", ...
	result phoneapi.DialResult
	err    error
}

func newFakePhone(t *testing.T) *fakePhone {
	f := &fakePhone{t: t, changed: make(chan struct{})}
	t.Cleanup(func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		for _, w := range f.want {
			t.Errorf("expected request %q was never made", w.call)
		}
	})
	return f
}

// expect adds a request the app must make next.
func (f *fakePhone) expect(call string, result phoneapi.DialResult, err error) {
	f.mu.Lock()
	f.want = append(f.want, expectation{call, result, err})
	f.mu.Unlock()
}

// done waits until every expected request was made.
func (f *fakePhone) done() {
	f.t.Helper()
	deadline := time.NewTimer(waitLimit)
	defer deadline.Stop()
	for {
		f.mu.Lock()
		n, ch := len(f.want), f.changed
		f.mu.Unlock()
		if n == 0 {
			return
		}
		select {
		case <-ch:
		case <-deadline.C:
			f.t.Fatalf("after %v, %d expected requests were not made", waitLimit, n)
		}
	}
}

func (f *fakePhone) take(call string) (phoneapi.DialResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	defer func() { close(f.changed); f.changed = make(chan struct{}) }()
	if len(f.want) == 0 {
		f.t.Errorf("unexpected request %q", call)
		return phoneapi.DialResult{}, fmt.Errorf("unexpected request %q", call)
	}
	w := f.want[0]
	f.want = f.want[1:]
	if w.call != call {
		f.t.Errorf("request = %q, want %q", call, w.call)
	}
	return w.result, w.err
}

func (f *fakePhone) Dial(_ context.Context, number, callType string) (phoneapi.DialResult, error) {
	return f.take(strings.TrimSpace("Dial " + number + " " + callType))
}

func (f *fakePhone) Accept(_ context.Context, service, id string) error {
	_, err := f.take("Accept " + service + " " + id)
	return err
}

func (f *fakePhone) Hangup(_ context.Context, service, id string) error {
	_, err := f.take("Hangup " + service + " " + id)
	return err
}

func (f *fakePhone) Hold(_ context.Context, service, id string) error {
	_, err := f.take("Hold " + service + " " + id)
	return err
}

func (f *fakePhone) Activate(_ context.Context, service, id string) error {
	_, err := f.take("Activate " + service + " " + id)
	return err
}

func (f *fakePhone) Tone(_ context.Context, service, id, tones string) error {
	_, err := f.take("Tone " + service + " " + id + " " + tones)
	return err
}

func (f *fakePhone) Transfer(_ context.Context, service, id, number string) error {
	_, err := f.take("Transfer " + service + " " + id + " " + number)
	return err
}

// harness runs an App on a simulated 80×24 terminal with a fake clock and
// a fake phone.
type harness struct {
	t     *testing.T
	scr   tcell.SimulationScreen
	clk   *clock.Fake
	phone *fakePhone
	app   *App

	exited chan struct{} // closed when Run returned, with runErr
	runErr error

	mu      sync.Mutex
	frames  [][]string
	changed chan struct{}
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	h := &harness{t: t, scr: tcell.NewSimulationScreen(""), clk: clock.NewFake(t0), phone: newFakePhone(t),
		changed: make(chan struct{}), exited: make(chan struct{})}
	if err := h.scr.Init(); err != nil {
		t.Fatal(err)
	}
	h.scr.SetSize(80, 24)
	h.app = New(Options{Screen: h.scr, Phone: h.phone, Clock: h.clk, Location: time.UTC, OnFrame: h.frame})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { h.runErr = h.app.Run(ctx); close(h.exited) }()
	t.Cleanup(func() {
		cancel()
		<-h.exited
		if h.runErr != nil {
			t.Errorf("Run = %v", h.runErr)
		}
		h.scr.Fini()
	})
	h.app.LinkUp()
	return h
}

func (h *harness) frame(lines []string) {
	h.mu.Lock()
	h.frames = append(h.frames, lines)
	close(h.changed)
	h.changed = make(chan struct{})
	h.mu.Unlock()
}

// screen is the last frame sent, as text.
func (h *harness) screen() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.frames) == 0 {
		return ""
	}
	return strings.Join(h.frames[len(h.frames)-1], "\n")
}

func (h *harness) frameCount() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.frames)
}

// wait waits until the screen shows every one of want.
func (h *harness) wait(want ...string) string {
	h.t.Helper()
	return h.waitFor(func(s string) bool {
		for _, w := range want {
			if !strings.Contains(s, w) {
				return false
			}
		}
		return true
	}, fmt.Sprintf("%q", want))
}

// gone waits until the screen shows none of these.
func (h *harness) gone(not ...string) string {
	h.t.Helper()
	return h.waitFor(func(s string) bool {
		return !slices.ContainsFunc(not, func(n string) bool { return strings.Contains(s, n) })
	}, fmt.Sprintf("none of %q", not))
}

func (h *harness) waitFor(ok func(string) bool, what string) string {
	h.t.Helper()
	deadline := time.NewTimer(waitLimit)
	defer deadline.Stop()
	for {
		h.mu.Lock()
		ch := h.changed
		h.mu.Unlock()
		if s := h.screen(); ok(s) {
			return s
		}
		select {
		case <-ch:
		case <-deadline.C:
			h.t.Fatalf("after %v the screen does not show %s:\n%s", waitLimit, what, h.screen())
			return ""
		}
	}
}

// set publishes values as one batch: path, value, path, value...; a nil
// value removes the path.
func (h *harness) set(kv ...any) {
	var b vs.Batch
	for i := 0; i < len(kv); i += 2 {
		ch := vs.Change{Path: kv[i].(string)}
		switch v := kv[i+1].(type) {
		case nil:
			ch.Removed = true
		case string:
			ch.Value = vs.String(v)
		case int:
			ch.Value = vs.Int(int64(v))
		case bool:
			ch.Value = vs.Bool(v)
		case []string:
			ch.Value = vs.Strings(v...)
		default:
			h.t.Fatalf("set: a %T value", v)
		}
		b.Changes = append(b.Changes, ch)
	}
	h.app.Batch(b)
}

// callKeys are the keys of one call for set.
func callKeys(id string, kv ...string) []any {
	var out []any
	for i := 0; i+1 < len(kv); i += 2 {
		var v any = kv[i+1]
		if kv[i] == phoneapi.KeyCallSeq {
			var n int
			fmt.Sscan(kv[i+1], &n)
			v = n
		}
		out = append(out, vs.Join(telephony.CallPath(id), kv[i]), v)
	}
	return out
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z07:00") }

func (h *harness) typ(s string) {
	for _, r := range s {
		h.scr.InjectKey(tcell.KeyRune, r, tcell.ModNone)
	}
}

func (h *harness) key(k tcell.Key) { h.scr.InjectKey(k, 0, tcell.ModNone) }
