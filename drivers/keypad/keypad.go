package keypad

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"maps"
	"strconv"
	"sync"
	"time"
)

// Keypad is what phoned reads keys from: the evdev keypad, or
// keypadtest's fake.
type Keypad interface {
	// Events delivers the keypad's events in order; it is closed once
	// the keypad is closed.
	Events() <-chan Event
	// Device is the path of the open input device, "" while it is away.
	Device() string
	// Close stops the keypad and waits for its goroutines.
	Close() error
}

// Defaults for the options.
const (
	DefaultLongPress  = 800 * time.Millisecond
	DefaultBackoffMin = 100 * time.Millisecond
	DefaultBackoffMax = 5 * time.Second
)

// Option changes a keypad's timing.
type Option func(*options)

type options struct {
	longPress              time.Duration
	backoffMin, backoffMax time.Duration
}

// LongPress sets how long 0 and end must be held for their long meaning
// (default DefaultLongPress).
func LongPress(d time.Duration) Option { return func(o *options) { o.longPress = d } }

// Backoff sets the wait before looking for a vanished device again: min
// at first, doubling up to max (defaults DefaultBackoffMin and
// DefaultBackoffMax).
func Backoff(min, max time.Duration) Option {
	return func(o *options) { o.backoffMin, o.backoffMax = min, max }
}

// device is an open input device node.
type device struct {
	rc   io.ReadCloser
	path string
}

// opener finds and opens the input device spec names: a path if it
// starts with '/', else a device name.
type opener func(spec string) (device, error)

// Evdev is a keypad on a Linux input device. Open starts it.
type Evdev struct {
	spec   string
	keymap Keymap
	clk    Clock
	open   opener
	opts   options
	order  binary.ByteOrder
	word   int // bytes in a C long: the timeval fields of input_event

	events chan Event
	raw    chan rawMsg
	fired  chan token
	quit   chan struct{}
	done   chan struct{}

	readers   sync.WaitGroup
	closeOnce sync.Once

	mu   sync.Mutex
	path string // the open device's path, "" while it is away

	// Owned by run.
	dev       *device
	gen       int // the reader generation whose events count
	pressed   map[uint16]*press
	nextID    uint64
	reconnect uint64 // id of the pending reopen timer
	backoff   time.Duration
}

var _ Keypad = (*Evdev)(nil)

// press is a held key that has a long meaning.
type press struct {
	key   Key
	id    uint64
	timer Timer
	long  bool // its long meaning has been reported
}

type rawMsg struct {
	gen int
	ev  inputEvent
	err error
}

type tokenKind int

const (
	longPressDue tokenKind = iota + 1
	reopenDue
)

type token struct {
	kind tokenKind
	code uint16
	id   uint64
}

// Open opens the input device named by device (a path such as
// /dev/input/event0, or a name such as "QEMU Virtio Keyboard") and
// starts reporting its keys through keymap, timing long presses and the
// reopen backoff on clk. The first event is Connected. A device that is
// not there at Open is an error (ErrNoDevice); one that goes away later
// is looked for again.
func Open(ctx context.Context, device string, keymap Keymap, clk Clock, opts ...Option) (*Evdev, error) {
	return open(ctx, device, keymap, clk, openEvdev, binary.NativeEndian, strconv.IntSize/8, opts)
}

func open(ctx context.Context, spec string, keymap Keymap, clk Clock, op opener,
	order binary.ByteOrder, word int, opts []Option) (*Evdev, error) {
	if spec == "" {
		return nil, fmt.Errorf("%w: no device given (a path such as /dev/input/event0, or a name such as %q)", ErrNoDevice, "QEMU Virtio Keyboard")
	}
	if err := keymap.Check(); err != nil {
		return nil, err
	}
	if clk == nil {
		return nil, fmt.Errorf("%w: the keypad times long presses on a Clock (pass the wall clock in production)", ErrNoClock)
	}
	o := options{longPress: DefaultLongPress, backoffMin: DefaultBackoffMin, backoffMax: DefaultBackoffMax}
	for _, f := range opts {
		f(&o)
	}
	if o.longPress <= 0 || o.backoffMin <= 0 || o.backoffMax < o.backoffMin {
		return nil, fmt.Errorf("%w: long press %v, backoff %v to %v (all positive, the maximum at least the minimum)",
			ErrBadOption, o.longPress, o.backoffMin, o.backoffMax)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	d, err := op(spec)
	if err != nil {
		return nil, err
	}
	k := &Evdev{
		spec: spec, keymap: maps.Clone(keymap), clk: clk, open: op, opts: o,
		order: order, word: word,
		events:  make(chan Event, 32),
		raw:     make(chan rawMsg),
		fired:   make(chan token),
		quit:    make(chan struct{}),
		done:    make(chan struct{}),
		pressed: map[uint16]*press{},
		backoff: o.backoffMin,
	}
	go k.run(d)
	return k, nil
}

// Events implements Keypad.
func (k *Evdev) Events() <-chan Event { return k.events }

// Device implements Keypad.
func (k *Evdev) Device() string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.path
}

// Done is closed once the keypad has stopped (after Close).
func (k *Evdev) Done() <-chan struct{} { return k.done }

// Err is nil while the keypad runs and ErrClosed once it has stopped.
func (k *Evdev) Err() error {
	select {
	case <-k.done:
		return ErrClosed
	default:
		return nil
	}
}

// Close stops the keypad: it closes the device, waits for its
// goroutines and closes Events. It is idempotent.
func (k *Evdev) Close() error {
	k.closeOnce.Do(func() { close(k.quit) })
	<-k.done
	return nil
}

func (k *Evdev) setPath(p string) {
	k.mu.Lock()
	k.path = p
	k.mu.Unlock()
}

// run is the keypad's one goroutine with state: it takes the readers'
// events and the timers' firings in turn.
func (k *Evdev) run(first device) {
	defer close(k.done)
	defer close(k.events)
	defer k.shutdown()
	if !k.start(first) {
		return
	}
	for {
		select {
		case <-k.quit:
			return
		case m := <-k.raw:
			if m.gen != k.gen || k.dev == nil {
				continue // from a device already given up
			}
			if m.err != nil {
				if !k.lost(m.err) {
					return
				}
				continue
			}
			if !k.handle(m.ev) {
				return
			}
		case t := <-k.fired:
			if !k.due(t) {
				return
			}
		}
	}
}

// shutdown closes the device and waits for its reader.
func (k *Evdev) shutdown() {
	k.forgetPresses()
	if k.dev != nil {
		k.dev.rc.Close()
		k.dev = nil
	}
	k.setPath("")
	k.readers.Wait()
}

// emit delivers e, or reports false once the keypad is closing.
func (k *Evdev) emit(e Event) bool {
	e.Time = k.clk.Now()
	select {
	case k.events <- e:
		return true
	case <-k.quit:
		return false
	}
}

// after arms a timer that hands t back to run.
func (k *Evdev) after(d time.Duration, t token) Timer {
	return k.clk.AfterFunc(d, func() {
		select {
		case k.fired <- t:
		case <-k.quit:
		}
	})
}

// start makes d the device, starts its reader and reports Connected.
func (k *Evdev) start(d device) bool {
	k.gen++
	k.dev = &d
	k.setPath(d.path)
	k.readers.Add(1)
	go k.read(k.gen, d)
	return k.emit(Event{Kind: Connected, Device: d.path})
}

// read is a device's reader: it decodes input_event structs and hands
// them to run until the device fails or the keypad closes.
func (k *Evdev) read(gen int, d device) {
	defer k.readers.Done()
	dec := &eventDecoder{order: k.order, word: k.word}
	buf := make([]byte, 64*dec.size())
	var evs []inputEvent
	for {
		n, err := d.rc.Read(buf)
		evs = dec.decode(buf[:n], evs[:0])
		for _, e := range evs {
			select {
			case k.raw <- rawMsg{gen: gen, ev: e}:
			case <-k.quit:
				return
			}
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = fmt.Errorf("%w: the device was closed", ErrNoDevice)
			}
			select {
			case k.raw <- rawMsg{gen: gen, err: err}:
			case <-k.quit:
			}
			return
		}
	}
}

// lost gives up the current device, reports Disconnected and arms the
// first reopen.
func (k *Evdev) lost(err error) bool {
	path := k.dev.path
	k.dev.rc.Close()
	k.dev = nil
	k.setPath("")
	k.forgetPresses()
	k.backoff = k.opts.backoffMin
	k.armReopen()
	return k.emit(Event{Kind: Disconnected, Device: path, Err: err})
}

func (k *Evdev) armReopen() {
	k.nextID++
	k.reconnect = k.nextID
	k.after(k.backoff, token{kind: reopenDue, id: k.nextID})
}

// forgetPresses drops the held keys: a key held while its device goes
// away must not report a long press later.
func (k *Evdev) forgetPresses() {
	for code, p := range k.pressed {
		p.timer.Stop()
		delete(k.pressed, code)
	}
}

// due handles a timer's firing.
func (k *Evdev) due(t token) bool {
	switch t.kind {
	case longPressDue:
		p := k.pressed[t.code]
		if p == nil || p.id != t.id || p.long {
			return true // released, or pressed again, since
		}
		p.long = true
		return k.emit(longEvent(p.key))
	case reopenDue:
		if t.id != k.reconnect || k.dev != nil {
			return true
		}
		d, err := k.open(k.spec)
		if err != nil {
			k.backoff = min(2*k.backoff, k.opts.backoffMax)
			k.armReopen()
			return true
		}
		k.backoff = k.opts.backoffMin
		return k.start(d)
	}
	return true
}

// hasLong reports whether a key means something else when held.
func hasLong(key Key) bool { return key == Key0 || key == KeyEnd }

func longEvent(key Key) Event {
	if key == Key0 {
		return Event{Kind: Digit, Digit: '+'}
	}
	return Event{Kind: Power}
}

func shortEvent(key Key) Event {
	if d := key.digit(); d != 0 {
		return Event{Kind: Digit, Digit: d}
	}
	switch key {
	case KeySend:
		return Event{Kind: Send}
	case KeyEnd:
		return Event{Kind: End}
	case KeyVolumeUp:
		return Event{Kind: VolumeUp}
	}
	return Event{Kind: VolumeDown}
}

// handle applies one input event: key presses and releases through the
// keymap; everything else (sync, scan codes, repeats, unmapped keys) is
// ignored.
func (k *Evdev) handle(e inputEvent) bool {
	if e.typ != evKey {
		return true
	}
	key, ok := k.keymap[e.code]
	if !ok {
		return true
	}
	switch e.value {
	case keyDown:
		if p := k.pressed[e.code]; p != nil { // pressed again without a release seen
			p.timer.Stop()
			delete(k.pressed, e.code)
		}
		if !hasLong(key) {
			return k.emit(shortEvent(key))
		}
		k.nextID++
		p := &press{key: key, id: k.nextID}
		p.timer = k.after(k.opts.longPress, token{kind: longPressDue, code: e.code, id: p.id})
		k.pressed[e.code] = p
	case keyUp:
		p := k.pressed[e.code]
		if p == nil {
			return true
		}
		delete(k.pressed, e.code)
		if !p.long {
			p.timer.Stop()
			return k.emit(shortEvent(key))
		}
	}
	return true // keyRepeat and unknown values
}
