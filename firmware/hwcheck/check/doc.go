// Package check is hwcheck (firmware/hwcheck is its main): checks of the
// CI board's simulated hardware from the serial console. gpiosim makes a
// gpio-sim chip with named lines through configfs and lists the lines its
// GPIO character device shows; i2c writes a byte to an I2C register (on
// i2c-stub by default) and reads it back. The HIL smoke test runs both.
//
// "hwcheck -h" lists the checks and exits 0, "hwcheck CHECK -h" shows a
// check's flags; a usage mistake exits 2, a failed check 1.
package check
