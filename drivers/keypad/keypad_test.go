package keypad

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/internal/clock"
)

var update = flag.Bool("update", false, "rewrite testdata/*.evdev from the recordings in the test")

// armClock is a fake clock that also tells the test each time a timer
// is armed, so that the test advances time only once the keypad is
// waiting on it.
type armClock struct {
	*clock.Fake
	armed chan time.Duration
}

func newArmClock() *armClock {
	return &armClock{Fake: clock.NewFake(time.Unix(1_700_000_000, 0)), armed: make(chan time.Duration, 64)}
}

func (c *armClock) AfterFunc(d time.Duration, f func()) Timer {
	t := c.Fake.AfterFunc(d, f)
	c.armed <- d
	return t
}

// waitArmed waits for the keypad to arm a timer of d.
func (c *armClock) waitArmed(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case got := <-c.armed:
		if got != d {
			t.Fatalf("keypad armed a %v timer, want %v", got, d)
		}
	case <-time.After(5 * time.Second): // a bound on failure, not a wait for success
		t.Fatalf("keypad armed no %v timer", d)
	}
}

// rec is one recorded input_event with its kernel timestamp.
type rec struct {
	sec, usec  int64
	typ, code  uint16
	value      int32
	annotation string
}

// The kernel's codes used here (linux/input-event-codes.h).
const (
	evSyn, evMsc                  = 0, 4
	mscScan                       = 4
	kEsc, k1, k2, k0, kQ          = 1, 2, 3, 11, 16
	kEnter, kBackslash            = 28, 43
	kKPAsterisk                   = 55
	kVolumeDown, kVolumeUp        = 114, 115
	kKP5                          = 76
	scanBase               uint32 = 0x70000
)

// key is what a virtio keyboard sends for one key action: the scan code,
// the key event, a sync report.
func key(ms int64, code uint16, value int32) []rec {
	sec, usec := ms/1000, (ms%1000)*1000
	return []rec{
		{sec, usec, evMsc, mscScan, int32(scanBase + uint32(code)), ""},
		{sec, usec, evKey, code, value, ""},
		{sec, usec, evSyn, 0, 0, ""},
	}
}

func join(parts ...[]rec) []rec {
	var out []rec
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// encode writes recs as 64-bit little-endian struct input_event, the
// layout arm64 and amd64 kernels use: timeval (two 8-byte longs), type,
// code, value.
func encode(recs []rec) []byte {
	var b bytes.Buffer
	for _, r := range recs {
		binary.Write(&b, binary.LittleEndian, struct {
			Sec, Usec int64
			Type      uint16
			Code      uint16
			Value     int32
		}{r.sec, r.usec, r.typ, r.code, r.value})
	}
	return b.Bytes()
}

// testdata reads name, first rewriting it from recs with -update.
func testdata(t *testing.T, name string, recs []rec) []byte {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, encode(recs), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the test with -update to write it)", err)
	}
	if !bytes.Equal(b, encode(recs)) {
		t.Fatalf("%s is not the recording in the test (run with -update)", path)
	}
	return b
}

// fakeDevices hands out pipes as input devices, one per open, and can be
// told to fail opens.
type fakeDevices struct {
	t     *testing.T
	mu    sync.Mutex
	opens []string // the specs asked for
	fail  int      // how many opens fail next
	pipes []*io.PipeWriter
}

func (f *fakeDevices) open(spec string) (device, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.opens = append(f.opens, spec)
	if f.fail > 0 {
		f.fail--
		return device{}, fmt.Errorf("%w named %q", ErrNoDevice, spec)
	}
	r, w := io.Pipe()
	f.pipes = append(f.pipes, w)
	return device{rc: r, path: fmt.Sprintf("/dev/input/event%d", len(f.pipes)-1)}, nil
}

// write sends bytes on the newest device, as the kernel would.
func (f *fakeDevices) write(b []byte) {
	f.mu.Lock()
	w := f.pipes[len(f.pipes)-1]
	f.mu.Unlock()
	go func() { w.Write(b) }() // a pipe write blocks until read
}

func (f *fakeDevices) unplug(err error) {
	f.mu.Lock()
	w := f.pipes[len(f.pipes)-1]
	f.mu.Unlock()
	w.CloseWithError(err)
}

func (f *fakeDevices) setFail(n int) {
	f.mu.Lock()
	f.fail = n
	f.mu.Unlock()
}

func (f *fakeDevices) specs() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return strings.Join(f.opens, ",")
}

func start(t *testing.T, clk Clock, devs *fakeDevices, opts ...Option) *Evdev {
	t.Helper()
	k, err := open(context.Background(), "QEMU Virtio Keyboard", DefaultKeymap(), clk, devs.open, binary.LittleEndian, 8, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { k.Close() })
	return k
}

// next returns the next event.
func next(t *testing.T, k *Evdev) Event {
	t.Helper()
	select {
	case e, ok := <-k.Events():
		if !ok {
			t.Fatal("Events closed")
		}
		return e
	case <-time.After(5 * time.Second): // a bound on failure only
		t.Fatal("no event")
	}
	return Event{}
}

// expect reads len(want) events and compares their strings.
func expect(t *testing.T, k *Evdev, want ...string) {
	t.Helper()
	var got []string
	for range want {
		got = append(got, next(t, k).String())
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("events = %q, want %q", got, want)
	}
}

// expectNone checks that no event is waiting. Only used right after a
// fake-clock Advance, which runs every due timer to completion, so an
// event that was going to come would be there.
func expectNone(t *testing.T, k *Evdev) {
	t.Helper()
	select {
	case e := <-k.Events():
		t.Fatalf("unexpected event %s", e)
	default:
	}
}

// A recorded virtio-keyboard stream (scan codes, syncs, auto-repeat, an
// unmapped key) becomes the digits and actions, in order.
func TestRecordedStream(t *testing.T) {
	recs := join(
		key(0, k1, keyDown), key(90, k1, keyUp),
		key(300, k1, keyDown), key(800, k1, keyRepeat), key(833, k1, keyRepeat), key(866, k1, keyRepeat), key(900, k1, keyUp),
		key(1200, k2, keyDown), key(1300, k2, keyUp),
		key(1500, kQ, keyDown), key(1600, kQ, keyUp), // not in the keymap
		key(1700, kKPAsterisk, keyDown), key(1800, kKPAsterisk, keyUp),
		key(1900, kBackslash, keyDown), key(2000, kBackslash, keyUp),
		key(2100, kKP5, keyDown), key(2200, kKP5, keyUp),
		key(2300, k0, keyDown), key(2400, k0, keyRepeat), key(2450, k0, keyUp), // short 0
		key(2600, kEnter, keyDown), key(2700, kEnter, keyUp),
		key(3000, kVolumeUp, keyDown), key(3100, kVolumeUp, keyUp),
		key(3200, kVolumeDown, keyDown), key(3300, kVolumeDown, keyUp),
		key(4000, kEsc, keyDown), key(4100, kEsc, keyUp), // short end
	)
	stream := testdata(t, "dial-112.evdev", recs)
	if len(stream) != 24*len(recs) {
		t.Fatalf("stream is %d bytes, want %d (24 per event)", len(stream), 24*len(recs))
	}
	clk := newArmClock()
	devs := &fakeDevices{t: t}
	k := start(t, clk, devs)
	expect(t, k, "connected /dev/input/event0")
	devs.write(stream)
	expect(t, k, "digit 1", "digit 1", "digit 2", "digit *", "digit #", "digit 5", "digit 0",
		"send", "volume-up", "volume-down", "end")
	if got := devs.specs(); got != "QEMU Virtio Keyboard" {
		t.Errorf("opened %q, want the device once by name", got)
	}
	if k.Device() != "/dev/input/event0" {
		t.Errorf("Device() = %q", k.Device())
	}
}

// The decoder takes events split across reads.
func TestDecoderPartialReads(t *testing.T) {
	b := encode(join(key(0, k1, keyDown), key(10, k2, keyDown)))
	d := &eventDecoder{order: binary.LittleEndian, word: 8}
	var got []inputEvent
	for _, chunk := range [][]byte{b[:5], b[5:30], b[30:71], b[71:]} {
		got = d.decode(chunk, got)
	}
	want := []inputEvent{{evMsc, mscScan, int32(scanBase + k1)}, {evKey, k1, 1}, {evSyn, 0, 0},
		{evMsc, mscScan, int32(scanBase + k2)}, {evKey, k2, 1}, {evSyn, 0, 0}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("decode in pieces = %v, want %v", got, want)
	}
	d32 := &eventDecoder{order: binary.LittleEndian, word: 4}
	b32 := []byte{1, 0, 0, 0, 2, 0, 0, 0, 1, 0, 28, 0, 1, 0, 0, 0} // 32-bit layout: KEY_ENTER down
	if got := d32.decode(b32, nil); len(got) != 1 || got[0] != (inputEvent{evKey, kEnter, 1}) {
		t.Errorf("32-bit decode = %v, want KEY_ENTER down", got)
	}
}

// Held for the long-press time, 0 is '+' and end is power, at that
// moment and not a moment before; the release then reports nothing.
func TestLongPress(t *testing.T) {
	clk := newArmClock()
	devs := &fakeDevices{t: t}
	k := start(t, clk, devs)
	expect(t, k, "connected /dev/input/event0")

	devs.write(encode(join(key(0, k0, keyDown), key(500, k0, keyRepeat))))
	clk.waitArmed(t, DefaultLongPress)
	clk.Advance(DefaultLongPress - time.Millisecond)
	expectNone(t, k)
	t0 := clk.Now()
	clk.Advance(time.Millisecond)
	e := next(t, k)
	if e.Kind != Digit || e.Digit != '+' || !e.Time.Equal(t0.Add(time.Millisecond)) {
		t.Fatalf("long 0 = %s at %v, want digit + at %v", e, e.Time, t0.Add(time.Millisecond))
	}
	// The release says nothing: the next event is the next key's.
	devs.write(encode(join(key(900, k0, keyUp), key(950, k2, keyDown))))
	expect(t, k, "digit 2")

	devs.write(encode(key(1000, kEsc, keyDown)))
	clk.waitArmed(t, DefaultLongPress)
	clk.Advance(DefaultLongPress)
	expect(t, k, "power")
	devs.write(encode(join(key(2000, kEsc, keyUp), key(2001, k1, keyDown))))
	expect(t, k, "digit 1")

	// A short press after a long one is short again; the stopped timer
	// fires nothing later.
	devs.write(encode(key(3000, kEsc, keyDown)))
	clk.waitArmed(t, DefaultLongPress)
	devs.write(encode(key(3100, kEsc, keyUp)))
	expect(t, k, "end")
	clk.Advance(time.Hour)
	expectNone(t, k)
}

// The long-press time is an option.
func TestLongPressOption(t *testing.T) {
	clk := newArmClock()
	devs := &fakeDevices{t: t}
	k := start(t, clk, devs, LongPress(2*time.Second))
	expect(t, k, "connected /dev/input/event0")
	devs.write(encode(key(0, k0, keyDown)))
	clk.waitArmed(t, 2*time.Second)
	clk.Advance(DefaultLongPress)
	expectNone(t, k)
	clk.Advance(2*time.Second - DefaultLongPress)
	expect(t, k, "digit +")
}

// Auto-repeat is ignored: a held digit dials once.
func TestRepeatIgnored(t *testing.T) {
	clk := newArmClock()
	devs := &fakeDevices{t: t}
	k := start(t, clk, devs)
	expect(t, k, "connected /dev/input/event0")
	recs := key(0, k5(), keyDown)
	for i := range 20 {
		recs = append(recs, key(int64(500+33*i), k5(), keyRepeat)...)
	}
	recs = append(recs, key(2000, k5(), keyUp)...)
	recs = append(recs, key(2100, kEnter, keyDown)...)
	devs.write(encode(recs))
	expect(t, k, "digit 5", "send")
}

func k5() uint16 { return 6 } // KEY_5

// Unplugged, the keypad says so, forgets held keys, looks for the device
// again by name with a doubling backoff, and carries on when it is back.
func TestUnplugReplug(t *testing.T) {
	clk := newArmClock()
	devs := &fakeDevices{t: t}
	k := start(t, clk, devs)
	expect(t, k, "connected /dev/input/event0")
	devs.write(encode(key(0, k1, keyDown)))
	expect(t, k, "digit 1")

	devs.write(encode(key(100, k0, keyDown))) // held while unplugged
	clk.waitArmed(t, DefaultLongPress)
	devs.unplug(syscall.ENODEV)
	e := next(t, k)
	if e.Kind != Disconnected || !errors.Is(e.Err, syscall.ENODEV) || e.Device != "/dev/input/event0" {
		t.Fatalf("after unplug: %s, want disconnected /dev/input/event0 with ENODEV", e)
	}
	if k.Device() != "" {
		t.Errorf("Device() while unplugged = %q, want empty", k.Device())
	}
	devs.setFail(3)
	for _, d := range []time.Duration{DefaultBackoffMin, 2 * DefaultBackoffMin, 4 * DefaultBackoffMin} {
		clk.waitArmed(t, d)
		clk.Advance(d) // still away
		expectNone(t, k)
	}
	// The fourth retry, 1.5 s after the unplug, finds it again; the held
	// 0's long press (due at 0.8 s) never came.
	clk.waitArmed(t, 8*DefaultBackoffMin)
	clk.Advance(8 * DefaultBackoffMin)
	expect(t, k, "connected /dev/input/event1")
	if got, want := devs.specs(), strings.Repeat("QEMU Virtio Keyboard,", 4)+"QEMU Virtio Keyboard"; got != want {
		t.Errorf("opens = %q, want %q", got, want)
	}
	devs.write(encode(join(key(5000, k0, keyUp), key(5001, k2, keyDown)))) // the old 0's release is ignored
	expect(t, k, "digit 2")
	if k.Device() != "/dev/input/event1" {
		t.Errorf("Device() = %q, want /dev/input/event1", k.Device())
	}
}

// The backoff stops doubling at its maximum.
func TestBackoffMax(t *testing.T) {
	clk := newArmClock()
	devs := &fakeDevices{t: t}
	k := start(t, clk, devs, Backoff(time.Second, 3*time.Second))
	expect(t, k, "connected /dev/input/event0")
	devs.setFail(100)
	devs.unplug(io.EOF)
	if e := next(t, k); e.Kind != Disconnected || !errors.Is(e.Err, ErrNoDevice) {
		t.Fatalf("after EOF: %s, want disconnected with ErrNoDevice", e)
	}
	for _, d := range []time.Duration{time.Second, 2 * time.Second, 3 * time.Second, 3 * time.Second} {
		clk.waitArmed(t, d)
		clk.Advance(d)
	}
	clk.waitArmed(t, 3*time.Second)
}

// Close ends a blocked read, stops the goroutines, closes Events and is
// idempotent.
func TestClose(t *testing.T) {
	devs := &fakeDevices{t: t}
	k, err := open(context.Background(), "/dev/input/event7", DefaultKeymap(), clock.Real(), devs.open, binary.LittleEndian, 8, nil)
	if err != nil {
		t.Fatal(err)
	}
	if e := next(t, k); e.Kind != Connected {
		t.Fatalf("first event %s, want connected", e)
	}
	if k.Err() != nil {
		t.Errorf("Err() while running = %v", k.Err())
	}
	if err := k.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	if err := k.Close(); err != nil {
		t.Fatalf("second Close() = %v", err)
	}
	if _, ok := <-k.Events(); ok {
		t.Error("Events still open after Close")
	}
	<-k.Done()
	if !errors.Is(k.Err(), ErrClosed) {
		t.Errorf("Err() after Close = %v, want ErrClosed", k.Err())
	}
	if got := devs.specs(); got != "/dev/input/event7" {
		t.Errorf("opened %q, want the path", got)
	}
	// The device's read side was closed: writing to it fails.
	if _, err := devs.pipes[0].Write([]byte{0}); !errors.Is(err, io.ErrClosedPipe) {
		t.Errorf("device still open after Close: write = %v", err)
	}
}

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	devs := &fakeDevices{t: t}
	clk := newArmClock()
	le := binary.LittleEndian
	for _, tc := range []struct {
		name   string
		spec   string
		keymap Keymap
		clk    Clock
		opts   []Option
		want   error
		words  string
	}{
		{"no device", "", DefaultKeymap(), clk, nil, ErrNoDevice, "no device given"},
		{"empty keymap", "kbd", Keymap{}, clk, nil, ErrBadKeymap, "maps no key code"},
		{"bad key", "kbd", Keymap{2: Key1, 30: Key(99)}, clk, nil, ErrBadKeymap, "code 30 → Key(99) maps to no handset key"},
		{"no clock", "kbd", DefaultKeymap(), nil, nil, ErrNoClock, "pass the wall clock"},
		{"zero long press", "kbd", DefaultKeymap(), clk, []Option{LongPress(0)}, ErrBadOption, "long press 0s"},
		{"backoff upside down", "kbd", DefaultKeymap(), clk, []Option{Backoff(time.Second, time.Millisecond)}, ErrBadOption, "backoff 1s to 1ms"},
	} {
		_, err := open(ctx, tc.spec, tc.keymap, tc.clk, devs.open, le, 8, tc.opts)
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.words) {
			t.Errorf("%s: Open = %v, want %v saying %q", tc.name, err, tc.want, tc.words)
		}
	}
	if devs.specs() != "" {
		t.Errorf("bad arguments opened %q, want nothing", devs.specs())
	}
	devs.setFail(1)
	if _, err := open(ctx, "axp20x-pek", DefaultKeymap(), clk, devs.open, le, 8, nil); !errors.Is(err, ErrNoDevice) {
		t.Errorf("absent device: Open = %v, want ErrNoDevice", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := open(cancelled, "kbd", DefaultKeymap(), clk, devs.open, le, 8, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: Open = %v, want context.Canceled", err)
	}
}

func TestKeys(t *testing.T) {
	for k := Key0; k <= KeyVolumeDown; k++ {
		got, err := ParseKey(k.String())
		if err != nil || got != k {
			t.Errorf("ParseKey(%q) = %v, %v; want %v", k.String(), got, err, k)
		}
	}
	if _, err := ParseKey("menu"); !errors.Is(err, ErrBadKey) {
		t.Errorf(`ParseKey("menu") = %v, want ErrBadKey`, err)
	}
	m := DefaultKeymap()
	m[2] = KeyEnd // a copy: the next call is untouched
	if DefaultKeymap()[2] != Key1 {
		t.Error("DefaultKeymap shares its map between calls")
	}
	if err := DefaultKeymap().Check(); err != nil {
		t.Errorf("DefaultKeymap().Check() = %v", err)
	}
}
