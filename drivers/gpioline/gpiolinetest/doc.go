// Package gpiolinetest holds strict fakes for tests of code that uses GPIO
// lines: Pin, a periph gpio.PinIO whose inputs the test drives and whose
// outputs it records with the time of each change; Chip, a set of Pins
// that gpioline.NewChips opens like a kernel chip; and Timers, a clock
// wrapper that tells the test each timer the code under test starts, so
// that a test on a fake clock advances it exactly when the code waits.
//
// The fakes fail the test on what would go wrong on the real line:
// reading an output (periph's character-device Read turns it into a
// pulled-up input), writing an input the test drives, waiting for an edge
// with a timeout periph reads differently on real lines and fakes (0 and
// -1, periph/host#78), waiting on a line configured without edges, and
// any use after the line was released.
package gpiolinetest
