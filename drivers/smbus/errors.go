package smbus

import "errors"

var (
	// ErrUnsupported reports a Tx that no SMBus byte- or word-data
	// transfer carries (for example a 4-byte write, or a read without
	// a register).
	ErrUnsupported = errors.New("smbus: not an SMBus byte- or word-data transfer")
	// ErrAdapterCannot reports a transfer the adapter's I2C_FUNCS says
	// it does not do.
	ErrAdapterCannot = errors.New("smbus: the adapter does not do this transfer")
	// ErrBadAddress reports an address outside the 7-bit range.
	ErrBadAddress = errors.New("smbus: address out of the 7-bit range")
	// ErrNoAdapter reports an adapter number or name that is not there.
	ErrNoAdapter = errors.New("smbus: no such I2C adapter")
	// ErrNoAnswer reports a transfer no device acknowledged (ENXIO or
	// EREMOTEIO from the kernel).
	ErrNoAnswer = errors.New("smbus: no device answered")
	// ErrAddressBusy reports an address a kernel driver has claimed.
	ErrAddressBusy = errors.New("smbus: a kernel driver owns this address")
	// ErrSpeed reports SetSpeed: an adapter's clock is set by its kernel
	// driver (device tree or module parameter), not from user space.
	ErrSpeed = errors.New("smbus: the bus speed is set by the kernel driver, not from user space")
	// ErrClosed is returned by Tx on a closed Bus.
	ErrClosed = errors.New("smbus: bus closed")
	// ErrNotLinux is returned by Open on systems without i2c-dev.
	ErrNotLinux = errors.New("smbus: I2C adapters are opened on Linux only")
)
