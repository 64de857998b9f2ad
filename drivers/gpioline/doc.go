// Package gpioline is the small layer between Ringo's drivers and a GPIO
// line: a line of a board seen at its active level, with the calls that
// periph cannot cancel made cancellable.
//
// A board names a line by the name its chip gives it ("PWRKEY" on the CI
// board's gpio-sim chip) or, where the device tree names none (the
// PinePhone), by its chip's label and offset ("1c20800.pinctrl" 35): a
// Spec. Chips opens Specs on a set of chips; System is the kernel's GPIO
// character devices through periph's host/v3/gpioioctl, imported
// directly (not host.Init, which on arm64 also loads drivers that poke
// /dev/mem). gpioioctl registers only named lines; System reaches
// unnamed ones by chip and offset. It enumerates the chips once per
// process, on first use: make gpio-sim chips before opening lines.
//
// An In is an input requested with both edges and, unless the Spec says
// otherwise, no bias (on gpio-sim a bias request changes the simulated
// level, so lines a test drives must have none). Its WaitEdge takes a
// context and returns an error, where periph's WaitForEdge(timeout) bool
// can do neither (and reads -1 as "return at once" on character-device
// lines while its fakes read it as "forever", periph/host#78; 0 is
// "forever" there). WaitEdge hands periph only positive, bounded waits
// and halts the line when the context ends. An Out is an output whose
// last written level it remembers: periph's Read on an output line turns
// it into a pulled-up input, so an Out never reads its line. periph
// requests an output before it sets its value, so a line may show low for
// an instant when opened high: a board whose modem must not see VBAT_EN
// dip on a restart needs the kernel to hold that line, or a periph that
// requests with the value.
//
// Drivers take the Input and Output interfaces; only the board opens and
// closes lines. Package gpiolinetest has a strict fake periph pin and
// chip for tests, and a clock wrapper that reports every timer started.
package gpioline
