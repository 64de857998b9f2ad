package smbus

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"periph.io/x/conn/v3/i2c"
	"periph.io/x/conn/v3/physic"
)

// call is one ioctl the Bus issued, as the fake adapter saw it, with the
// answer the fake gives it.
type call struct {
	op   string // "addr", "rb", "wb", "rw", "ww"
	arg  uint16 // the address, or the register
	v    uint16 // written: the value; read: the answer
	fail error  // returned instead of answering
}

func (c call) String() string { return fmt.Sprintf("%s(0x%02x, 0x%04x)", c.op, c.arg, c.v) }

// fakeAdapter is a strict script of ioctls: any call that is not the
// next one expected fails the test, and so do calls left over at close.
type fakeAdapter struct {
	t      *testing.T
	mu     sync.Mutex
	want   []call
	next   int
	closed bool
}

func (f *fakeAdapter) take(got call) call {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.next >= len(f.want) {
		f.t.Errorf("unexpected ioctl %s: the script has ended", got)
		return call{fail: errors.New("fake: unexpected")}
	}
	w := f.want[f.next]
	f.next++
	if w.op != got.op || w.arg != got.arg || (got.op[0] != 'r' && got.op != "addr" && w.v != got.v) {
		f.t.Errorf("ioctl #%d = %s, want %s", f.next-1, got, w)
	}
	return w
}

func (f *fakeAdapter) setAddress(addr uint16) error { return f.take(call{op: "addr", arg: addr}).fail }

func (f *fakeAdapter) readByteData(cmd byte) (byte, error) {
	c := f.take(call{op: "rb", arg: uint16(cmd)})
	return byte(c.v), c.fail
}

func (f *fakeAdapter) writeByteData(cmd, v byte) error {
	return f.take(call{op: "wb", arg: uint16(cmd), v: uint16(v)}).fail
}

func (f *fakeAdapter) readWordData(cmd byte) (uint16, error) {
	c := f.take(call{op: "rw", arg: uint16(cmd)})
	return c.v, c.fail
}

func (f *fakeAdapter) writeWordData(cmd byte, v uint16) error {
	return f.take(call{op: "ww", arg: uint16(cmd), v: v}).fail
}

func (f *fakeAdapter) close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		f.t.Error("adapter closed twice")
	}
	f.closed = true
	if f.next != len(f.want) {
		f.t.Errorf("closed after %d of %d ioctls; never issued: %v", f.next, len(f.want), f.want[f.next:])
	}
	return nil
}

const allFuncs = FuncReadByteData | FuncWriteByteData | FuncReadWordData | FuncWriteWordData

func newFake(t *testing.T, funcs uint64, want ...call) (*Bus, *fakeAdapter) {
	t.Helper()
	f := &fakeAdapter{t: t, want: want}
	b := newBus("i2c-7", "SMBus stub driver", funcs, f)
	t.Cleanup(func() {
		if err := b.Close(); err != nil {
			t.Errorf("Close() = %v", err)
		}
		if !f.closed {
			t.Error("Close did not close the adapter")
		}
	})
	return b, f
}

// Each Tx shape becomes its one SMBus transfer; the address is selected
// once per change; words are low byte first in w and r.
func TestTxTranslation(t *testing.T) {
	b, _ := newFake(t, allFuncs,
		call{op: "addr", arg: 0x18},
		call{op: "wb", arg: 0x2f, v: 0x80},
		call{op: "rb", arg: 0x33, v: 0x0d},
		call{op: "ww", arg: 0x10, v: 0x1234},
		call{op: "rw", arg: 0x20, v: 0xbeef},
		call{op: "addr", arg: 0x1a},
		call{op: "wb", arg: 0x01, v: 0x80},
	)
	d := &i2c.Dev{Bus: b, Addr: 0x18}
	if err := d.Tx([]byte{0x2f, 0x80}, nil); err != nil {
		t.Fatalf("write byte: %v", err)
	}
	r := make([]byte, 1)
	if err := d.Tx([]byte{0x33}, r); err != nil || r[0] != 0x0d {
		t.Fatalf("read byte = 0x%02x, %v; want 0x0d, nil", r[0], err)
	}
	if err := d.Tx([]byte{0x10, 0x34, 0x12}, nil); err != nil {
		t.Fatalf("write word: %v", err)
	}
	r = make([]byte, 2)
	if err := d.Tx([]byte{0x20}, r); err != nil || r[0] != 0xef || r[1] != 0xbe {
		t.Fatalf("read word = % x, %v; want ef be, nil", r, err)
	}
	if err := b.Tx(0x1a, []byte{0x01, 0x80}, nil); err != nil {
		t.Fatalf("write byte at 0x1a: %v", err)
	}
}

// Shapes no SMBus byte- or word-data transfer carries are refused
// before any ioctl, with words that say what was asked and what works.
func TestTxUnsupported(t *testing.T) {
	b, _ := newFake(t, allFuncs) // no ioctl may happen
	for _, tc := range []struct {
		w    []byte
		rlen int
		want string
	}{
		{nil, 1, "a write of 0 bytes then a read of 1"},
		{[]byte{1}, 0, "a write of 1 bytes then a read of 0"},
		{[]byte{1}, 3, "a write of 1 bytes then a read of 3"},
		{[]byte{1, 2}, 1, "a write of 2 bytes then a read of 1"},
		{[]byte{1, 2, 3, 4}, 0, "a write of 4 bytes then a read of 0"},
		{nil, 0, "a write of 0 bytes then a read of 0"},
	} {
		err := b.Tx(0x18, tc.w, make([]byte, tc.rlen))
		if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), tc.want) ||
			!strings.Contains(err.Error(), "i2c-7") || !strings.Contains(err.Error(), "SMBus carries") {
			t.Errorf("Tx(w=% x, r=%d) = %v, want ErrUnsupported saying %q", tc.w, tc.rlen, err, tc.want)
		}
	}
	if err := b.Tx(0x80, []byte{1, 2}, nil); !errors.Is(err, ErrBadAddress) {
		t.Errorf("Tx(0x80) = %v, want ErrBadAddress", err)
	}
}

// A transfer the adapter's I2C_FUNCS lacks is refused before any ioctl.
func TestTxAdapterCannot(t *testing.T) {
	b, _ := newFake(t, FuncReadByteData|FuncWriteByteData)
	err := b.Tx(0x18, []byte{0x10, 1, 2}, nil)
	if !errors.Is(err, ErrAdapterCannot) || !strings.Contains(err.Error(), "cannot write word data") {
		t.Errorf("word write on a byte-only adapter = %v, want ErrAdapterCannot naming write word data", err)
	}
}

// Errors from the kernel come back wrapped with the adapter, address,
// register and transfer; a failed address select is retried next time.
func TestTxErrors(t *testing.T) {
	b, _ := newFake(t, allFuncs,
		call{op: "addr", arg: 0x18, fail: addressBusy(errors.New("device or resource busy"))},
		call{op: "addr", arg: 0x18},
		call{op: "rb", arg: 0x00, fail: noAnswer(errors.New("no such device or address"))},
	)
	err := b.Tx(0x18, []byte{0x00}, make([]byte, 1))
	if !errors.Is(err, ErrAddressBusy) || !strings.Contains(err.Error(), "i2c-7: select address 0x18") {
		t.Errorf("busy address: Tx = %v, want ErrAddressBusy with the address", err)
	}
	err = b.Tx(0x18, []byte{0x00}, make([]byte, 1))
	if !errors.Is(err, ErrNoAnswer) || !strings.Contains(err.Error(), "i2c-7: 0x18 register 0x00: read byte data") {
		t.Errorf("no answer: Tx = %v, want ErrNoAnswer naming address, register and transfer", err)
	}
}

func TestCloseAndSpeed(t *testing.T) {
	f := &fakeAdapter{t: t}
	b := newBus("i2c-1", "", allFuncs, f)
	if err := b.SetSpeed(400 * physic.KiloHertz); !errors.Is(err, ErrSpeed) {
		t.Errorf("SetSpeed = %v, want ErrSpeed", err)
	}
	if err := b.Close(); err != nil {
		t.Fatalf("Close = %v", err)
	}
	if err := b.Close(); err != nil {
		t.Fatalf("second Close = %v, want nil (idempotent)", err)
	}
	if err := b.Tx(0x18, []byte{1, 2}, nil); !errors.Is(err, ErrClosed) {
		t.Errorf("Tx after Close = %v, want ErrClosed", err)
	}
}

// Concurrent Tx calls are serialised by the Bus's goroutine: each
// address select is followed by its own transfer (run with -race).
func TestConcurrentTx(t *testing.T) {
	f := &countingAdapter{}
	b := newBus("i2c-2", "", allFuncs, f)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				if err := b.Tx(uint16(0x10+i), []byte{byte(i), byte(i)}, nil); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if f.bad != 0 || f.writes != 400 {
		t.Errorf("%d writes, %d with a register not matching the selected address; want 400, 0", f.writes, f.bad)
	}
}

// countingAdapter checks that each write's register belongs to the
// address selected last (the test writes register i at 0x10+i).
type countingAdapter struct {
	addr       uint16
	writes     int
	bad        int
	fakeUnused // the reads are not used
}

type fakeUnused struct{}

func (fakeUnused) readByteData(byte) (byte, error)   { return 0, errors.New("unused") }
func (fakeUnused) readWordData(byte) (uint16, error) { return 0, errors.New("unused") }
func (fakeUnused) writeWordData(byte, uint16) error  { return errors.New("unused") }

func (c *countingAdapter) setAddress(a uint16) error { c.addr = a; return nil }
func (c *countingAdapter) writeByteData(cmd, v byte) error {
	c.writes++
	if uint16(cmd)+0x10 != c.addr || cmd != v {
		c.bad++
	}
	return nil
}
func (c *countingAdapter) close() error { return nil }

func TestFind(t *testing.T) {
	fsys := fstest.MapFS{
		"i2c-0/name":  {Data: []byte("DesignWare HDMI\n")},
		"i2c-3/name":  {Data: []byte("SMBus stub driver\n")},
		"0-0018/name": {Data: []byte("tlv320aic3104\n")},
		"i2c-x/name":  {Data: []byte("not an adapter\n")},
	}
	if n, err := find(fsys, "SMBus stub driver"); err != nil || n != 3 {
		t.Errorf(`find("SMBus stub driver") = %d, %v; want 3, nil`, n, err)
	}
	_, err := find(fsys, "tlv320aic3104")
	if !errors.Is(err, ErrNoAdapter) || !strings.Contains(err.Error(), `there are: i2c-0 "DesignWare HDMI", i2c-3 "SMBus stub driver"`) {
		t.Errorf("find(a client's name) = %v, want ErrNoAdapter listing the adapters", err)
	}
	_, err = find(fstest.MapFS{}, "x")
	if !errors.Is(err, ErrNoAdapter) || !strings.Contains(err.Error(), "lists no adapters") {
		t.Errorf("find(empty sysfs) = %v, want ErrNoAdapter saying none are listed", err)
	}
	if got := label(fsys, 3); got != "SMBus stub driver" {
		t.Errorf("label(3) = %q, want %q", got, "SMBus stub driver")
	}
}
