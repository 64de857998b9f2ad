//go:build linux

package smbus

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Ioctls and transfer sizes of linux/i2c-dev.h and linux/i2c.h.
const (
	ioctlSlave = 0x0703 // I2C_SLAVE: select the address of later transfers
	ioctlFuncs = 0x0705 // I2C_FUNCS: the adapter's functionality word
	ioctlSMBus = 0x0720 // I2C_SMBUS: one SMBus transfer

	smbusWrite = 0 // I2C_SMBUS_WRITE
	smbusRead  = 1 // I2C_SMBUS_READ

	smbusByteData = 2 // I2C_SMBUS_BYTE_DATA
	smbusWordData = 3 // I2C_SMBUS_WORD_DATA

	smbusBlockMax = 32 // I2C_SMBUS_BLOCK_MAX; the data union is 2 bytes longer
)

// Open opens /dev/i2c-n. The i2c-dev module must be loaded.
func Open(n int) (*Bus, error) {
	if n < 0 {
		return nil, fmt.Errorf("%w: i2c-%d (adapter numbers start at 0)", ErrNoAdapter, n)
	}
	path := fmt.Sprintf("/dev/i2c-%d", n)
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		if errors.Is(err, unix.ENOENT) {
			return nil, fmt.Errorf("%w: open %s: %w (is the i2c-dev module loaded, and the adapter's driver?)", ErrNoAdapter, path, err)
		}
		return nil, fmt.Errorf("smbus: open %s: %w", path, err)
	}
	var funcs uintptr // unsigned long
	if _, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), ioctlFuncs, uintptr(unsafe.Pointer(&funcs))); errno != 0 {
		unix.Close(fd)
		return nil, fmt.Errorf("smbus: %s: I2C_FUNCS: %w", path, errno)
	}
	name := fmt.Sprintf("i2c-%d", n)
	return newBus(name, label(os.DirFS(sysfsAdapters), n), uint64(funcs), &linuxAdapter{fd: fd}), nil
}

// Find returns the number of the adapter the kernel calls name, as
// /sys/bus/i2c/devices/i2c-N/name says ("SMBus stub driver" for
// i2c-stub).
func Find(name string) (int, error) { return find(os.DirFS(sysfsAdapters), name) }

// OpenByName opens the adapter the kernel calls name.
func OpenByName(name string) (*Bus, error) {
	n, err := Find(name)
	if err != nil {
		return nil, err
	}
	return Open(n)
}

// linuxAdapter is an open /dev/i2c-N.
type linuxAdapter struct{ fd int }

// smbusIoctlData is struct i2c_smbus_ioctl_data.
type smbusIoctlData struct {
	readWrite uint8
	command   uint8
	size      uint32
	data      *[smbusBlockMax + 2]byte // union i2c_smbus_data
}

func (a *linuxAdapter) setAddress(addr uint16) error {
	if err := unix.IoctlSetInt(a.fd, ioctlSlave, int(addr)); err != nil {
		if errors.Is(err, unix.EBUSY) {
			return addressBusy(err)
		}
		return err
	}
	return nil
}

func (a *linuxAdapter) access(rw, cmd uint8, size uint32, data *[smbusBlockMax + 2]byte) error {
	arg := smbusIoctlData{readWrite: rw, command: cmd, size: size, data: data}
	_, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(a.fd), ioctlSMBus, uintptr(unsafe.Pointer(&arg)))
	switch errno {
	case 0:
		return nil
	case unix.ENXIO, unix.EREMOTEIO:
		return noAnswer(errno)
	}
	return errno
}

func (a *linuxAdapter) readByteData(cmd byte) (byte, error) {
	var d [smbusBlockMax + 2]byte
	err := a.access(smbusRead, cmd, smbusByteData, &d)
	return d[0], err
}

func (a *linuxAdapter) writeByteData(cmd, v byte) error {
	var d [smbusBlockMax + 2]byte
	d[0] = v
	return a.access(smbusWrite, cmd, smbusByteData, &d)
}

// The union's word is a host-order __u16.

func (a *linuxAdapter) readWordData(cmd byte) (uint16, error) {
	var d [smbusBlockMax + 2]byte
	err := a.access(smbusRead, cmd, smbusWordData, &d)
	return binary.NativeEndian.Uint16(d[:2]), err
}

func (a *linuxAdapter) writeWordData(cmd byte, v uint16) error {
	var d [smbusBlockMax + 2]byte
	binary.NativeEndian.PutUint16(d[:2], v)
	return a.access(smbusWrite, cmd, smbusWordData, &d)
}

func (a *linuxAdapter) close() error { return unix.Close(a.fd) }
