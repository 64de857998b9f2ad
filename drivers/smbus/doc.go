// Package smbus is an I2C bus for SMBus-only adapters: a Linux
// /dev/i2c-N spoken to through the I2C_SMBUS ioctl, as a periph
// i2c.Bus, so that drivers stay on periph's interfaces (i2c.Dev) and
// their tests on i2ctest.Playback.
//
// periph's own Linux I2C bus issues only I2C_RDWR, which SMBus-only
// adapters such as the kernel's i2c-stub (the CI board's codec) refuse.
// Bus translates each Tx into the one SMBus transfer that carries it:
//
//	Tx(w=[reg],       r=[1 byte])  → read byte data  (command reg)
//	Tx(w=[reg, v],    r=nil)       → write byte data
//	Tx(w=[reg],       r=[2 bytes]) → read word data  (r[0] the low byte)
//	Tx(w=[reg, lo, hi], r=nil)     → write word data
//
// and refuses anything else with ErrUnsupported, naming what was asked.
// SMBus words travel low byte first, as I2C register pairs do, so r and w
// hold the bytes in wire order.
//
// Adapters are found by number (Open) or by the name the kernel gives
// them in /sys/bus/i2c/devices/i2c-N/name (Find, OpenByName). Each Bus
// owns one goroutine that issues its ioctls, so the address select and
// the transfer of one Tx never interleave with another's and no lock is
// held across I/O; Close stops it and waits. Only the board opens and
// closes buses; drivers are handed one.
//
// On systems other than Linux, Open reports ErrNotLinux; the
// translation and lookup logic builds and tests everywhere.
package smbus
