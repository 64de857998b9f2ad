// Package modemtest is a strict scripted fake modem for tests of code
// that talks AT through drivers/modem: Expect the commands in the order
// they must come, with the lines each is answered with; Send unsolicited
// lines at any time. A command that was not expected (or comes out of
// order) fails the test and is answered ERROR; expectations left over
// when the test ends fail it too.
package modemtest
