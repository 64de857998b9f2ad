package smbus

import (
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"sync"

	"periph.io/x/conn/v3/i2c"
	"periph.io/x/conn/v3/physic"
)

// Functionality bits of the I2C_FUNCS ioctl (linux/i2c.h) that Bus uses.
const (
	FuncReadByteData  = 0x00080000 // I2C_FUNC_SMBUS_READ_BYTE_DATA
	FuncWriteByteData = 0x00100000 // I2C_FUNC_SMBUS_WRITE_BYTE_DATA
	FuncReadWordData  = 0x00200000 // I2C_FUNC_SMBUS_READ_WORD_DATA
	FuncWriteWordData = 0x00400000 // I2C_FUNC_SMBUS_WRITE_WORD_DATA
)

// adapter is the kernel side of one /dev/i2c-N: the ioctls a Bus issues.
// Only the Bus's own goroutine calls it. Words are values: packing them
// into the ioctl's union is the adapter's business.
type adapter interface {
	setAddress(addr uint16) error // I2C_SLAVE
	readByteData(cmd byte) (byte, error)
	writeByteData(cmd, v byte) error
	readWordData(cmd byte) (uint16, error)
	writeWordData(cmd byte, v uint16) error
	close() error
}

// kind is one of the four SMBus transfers Bus speaks.
type kind int

const (
	readByte kind = iota + 1
	writeByte
	readWord
	writeWord
)

func (k kind) String() string {
	switch k {
	case readByte:
		return "read byte data"
	case writeByte:
		return "write byte data"
	case readWord:
		return "read word data"
	case writeWord:
		return "write word data"
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// funcBit is the I2C_FUNCS bit an adapter sets when it does k.
func (k kind) funcBit() uint64 {
	switch k {
	case readByte:
		return FuncReadByteData
	case writeByte:
		return FuncWriteByteData
	case readWord:
		return FuncReadWordData
	default:
		return FuncWriteWordData
	}
}

// transfer is one SMBus transfer that carries a Tx.
type transfer struct {
	kind kind
	cmd  byte   // the register
	word uint16 // the value written: a byte, or a word low byte first
}

// translate maps a periph Tx onto the SMBus transfer that carries it.
func translate(addr uint16, w, r []byte) (transfer, error) {
	if addr > 0x7f {
		return transfer{}, fmt.Errorf("%w: 0x%x (at most 0x7f)", ErrBadAddress, addr)
	}
	switch {
	case len(w) == 1 && len(r) == 1:
		return transfer{kind: readByte, cmd: w[0]}, nil
	case len(w) == 1 && len(r) == 2:
		return transfer{kind: readWord, cmd: w[0]}, nil
	case len(w) == 2 && len(r) == 0:
		return transfer{kind: writeByte, cmd: w[0], word: uint16(w[1])}, nil
	case len(w) == 3 && len(r) == 0:
		return transfer{kind: writeWord, cmd: w[0], word: uint16(w[1]) | uint16(w[2])<<8}, nil
	}
	return transfer{}, fmt.Errorf("%w: at 0x%02x a write of %d bytes then a read of %d; SMBus carries "+
		"a 1-byte write then a 1- or 2-byte read (read byte or word data) and "+
		"a 2- or 3-byte write (write byte or word data)", ErrUnsupported, addr, len(w), len(r))
}

// Bus is one SMBus adapter as a periph i2c.BusCloser. It is safe for
// concurrent use: one goroutine it owns issues the ioctls in turn.
type Bus struct {
	name  string // "i2c-0"
	label string // the adapter's name in sysfs, "" if unknown
	funcs uint64 // I2C_FUNCS

	reqs chan request
	quit chan struct{}
	done chan struct{}

	closeOnce sync.Once
	closeErr  error
}

type request struct {
	addr  uint16
	t     transfer
	reply chan result
}

type result struct {
	word uint16
	err  error
}

// newBus starts the Bus's goroutine over a.
func newBus(name, label string, funcs uint64, a adapter) *Bus {
	b := &Bus{
		name: name, label: label, funcs: funcs,
		reqs: make(chan request),
		quit: make(chan struct{}),
		done: make(chan struct{}),
	}
	go b.serve(a)
	return b
}

// serve issues the transfers until Close, selecting the address only
// when it changes.
func (b *Bus) serve(a adapter) {
	defer close(b.done)
	selected := -1
	for {
		select {
		case <-b.quit:
			b.closeErr = a.close()
			return
		case req := <-b.reqs:
			var res result
			if int(req.addr) != selected {
				if err := a.setAddress(req.addr); err != nil {
					req.reply <- result{err: fmt.Errorf("%s: select address 0x%02x: %w", b, req.addr, err)}
					selected = -1
					continue
				}
				selected = int(req.addr)
			}
			t := req.t
			switch t.kind {
			case readByte:
				var v byte
				v, res.err = a.readByteData(t.cmd)
				res.word = uint16(v)
			case writeByte:
				res.err = a.writeByteData(t.cmd, byte(t.word))
			case readWord:
				res.word, res.err = a.readWordData(t.cmd)
			case writeWord:
				res.err = a.writeWordData(t.cmd, t.word)
			}
			if res.err != nil {
				res.err = fmt.Errorf("%s: 0x%02x register 0x%02x: %s: %w", b, req.addr, t.cmd, t.kind, res.err)
			}
			req.reply <- res
		}
	}
}

// String names the adapter, "i2c-0".
func (b *Bus) String() string { return b.name }

// Name is the adapter's name as the kernel gives it ("SMBus stub
// driver"), or "" when sysfs did not say.
func (b *Bus) Name() string { return b.label }

// Funcs is the adapter's I2C_FUNCS word.
func (b *Bus) Funcs() uint64 { return b.funcs }

// Tx does one SMBus transfer at addr: see the package documentation
// for which w and r lengths map to which transfer.
func (b *Bus) Tx(addr uint16, w, r []byte) error {
	t, err := translate(addr, w, r)
	if err != nil {
		return fmt.Errorf("%s: %w", b, err)
	}
	if b.funcs&t.kind.funcBit() == 0 {
		return fmt.Errorf("%w: %s (%s) cannot %s (I2C_FUNCS 0x%08x)", ErrAdapterCannot, b, b.label, t.kind, b.funcs)
	}
	req := request{addr: addr, t: t, reply: make(chan result, 1)}
	select {
	case b.reqs <- req:
	case <-b.quit:
		return fmt.Errorf("%s: %w", b, ErrClosed)
	}
	res := <-req.reply
	if res.err != nil {
		return res.err
	}
	switch t.kind {
	case readByte:
		r[0] = byte(res.word)
	case readWord:
		r[0], r[1] = byte(res.word), byte(res.word>>8)
	}
	return nil
}

// SetSpeed reports ErrSpeed: user space cannot set an adapter's clock.
func (b *Bus) SetSpeed(f physic.Frequency) error {
	return fmt.Errorf("%s: %w (asked for %s)", b, ErrSpeed, f)
}

// Close stops the Bus's goroutine, waits for it, and closes the
// adapter. It is idempotent; Tx after Close returns ErrClosed.
func (b *Bus) Close() error {
	b.closeOnce.Do(func() { close(b.quit) })
	<-b.done
	if b.closeErr != nil {
		return fmt.Errorf("%s: close: %w", b, b.closeErr)
	}
	return nil
}

var _ i2c.BusCloser = (*Bus)(nil)

// sysfsAdapters is where the kernel lists I2C adapters (and their
// clients) with a name file each.
const sysfsAdapters = "/sys/bus/i2c/devices"

// find returns the number of the adapter called name in fsys, a view of
// /sys/bus/i2c/devices.
func find(fsys fs.FS, name string) (int, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return 0, fmt.Errorf("%w named %q: cannot list %s: %w (is sysfs mounted?)", ErrNoAdapter, name, sysfsAdapters, err)
	}
	type seen struct {
		n    int
		name string
	}
	var all []seen
	for _, e := range entries {
		num, ok := strings.CutPrefix(e.Name(), "i2c-")
		if !ok {
			continue // a client device such as 0-0018
		}
		n, err := strconv.Atoi(num)
		if err != nil || n < 0 {
			continue
		}
		b, err := fs.ReadFile(fsys, e.Name()+"/name")
		if err != nil {
			continue
		}
		got := strings.TrimSpace(string(b))
		if got == name {
			return n, nil
		}
		all = append(all, seen{n, got})
	}
	if len(all) == 0 {
		return 0, fmt.Errorf("%w named %q: %s lists no adapters (is the adapter's driver loaded?)", ErrNoAdapter, name, sysfsAdapters)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].n < all[j].n })
	var list []string
	for _, s := range all {
		list = append(list, fmt.Sprintf("i2c-%d %q", s.n, s.name))
	}
	return 0, fmt.Errorf("%w named %q (there are: %s); is its driver loaded?", ErrNoAdapter, name, strings.Join(list, ", "))
}

// label reads adapter n's name from fsys, "" if it cannot.
func label(fsys fs.FS, n int) string {
	b, err := fs.ReadFile(fsys, "i2c-"+strconv.Itoa(n)+"/name")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// noAnswer and addressBusy mark the errno values the Linux adapter
// sees, so that callers can test them with errors.Is.
func noAnswer(err error) error { return fmt.Errorf("%w: %w", ErrNoAnswer, err) }

func addressBusy(err error) error {
	return fmt.Errorf("%w (unbind that driver first): %w", ErrAddressBusy, err)
}
