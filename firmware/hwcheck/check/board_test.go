package check

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ringo-phone/ringo/board"
)

// fakeProber answers from tables and fails the test on a question it was
// not given an answer for.
type fakeProber struct {
	t       *testing.T
	lines   map[string]string // line → holder
	missing map[string]bool   // anything by name: not found
	asked   []string
}

func (f *fakeProber) ask(what string) error {
	f.asked = append(f.asked, what)
	if f.missing[what] {
		return fmt.Errorf("%s not found", what)
	}
	return nil
}

func (f *fakeProber) line(l board.Line) (string, string, error) {
	if err := f.ask(l.String()); err != nil {
		return "", "", err
	}
	holder, ok := f.lines[l.String()]
	if !ok {
		f.t.Errorf("asked for line %s, which the test did not expect", l)
	}
	return l.Chip + " line 0", holder, nil
}

func (f *fakeProber) i2c(adapter string, bus int, addr uint16) (string, error) {
	return "i2c-0, answering", f.ask(fmt.Sprintf("i2c %s 0x%02x", adapter, addr))
}
func (f *fakeProber) input(spec string) (string, error) { return "/dev/input/event0", f.ask(spec) }
func (f *fakeProber) charDev(path string) error         { return f.ask(path) }
func (f *fakeProber) blockDev(path, label string) (string, error) {
	return path, f.ask(path + label)
}
func (f *fakeProber) card(name string) (string, error) { return "card 1", f.ask("card " + name) }

// squeeze makes every run of spaces one: the columns' widths are the
// tab writer's business.
func squeeze(s string) string { return strings.Join(strings.Fields(s), " ") }

func contains(report, line string) bool {
	for _, l := range strings.Split(report, "\n") {
		if squeeze(l) == squeeze(line) || strings.HasPrefix(squeeze(l), squeeze(line)) {
			return true
		}
	}
	return false
}

func qemuLines(holder string) map[string]string {
	m := map[string]string{}
	for _, l := range []string{"FLIGHT_MODE", "VBAT_EN", "PWRKEY", "RESET", "W_DISABLE", "STATUS", "DTR", "AP_READY", "RI"} {
		m[l] = holder
	}
	return m
}

func TestBoardReportQEMU(t *testing.T) {
	p := &fakeProber{t: t, lines: qemuLines("phoned")}
	var out strings.Builder
	if err := writeReport(&out, board.QEMUVirt, boardReport(board.QEMUVirt, p)); err != nil {
		t.Fatalf("writeReport: %v\n%s", err, out.String())
	}
	want := []string{
		"board qemu-virt",
		"ok    flight switch   FLIGHT_MODE at ringo-board line 0, active high, held by phoned",
		"ok    radio PWRKEY    PWRKEY at ringo-board line 0, active high, held by phoned",
		"ok    radio RI        RI at ringo-board line 0, active high, held by phoned",
		`ok    codec           tlv320aic3104 at 0x18 on i2c-0, answering`,
		`ok    keypad          "QEMU Virtio Keyboard" at /dev/input/event0`,
		"ok    modem port      /dev/hvc0 at 115200 baud",
		`ok    sound card      "Audio" card 1`,
		"ok    state storage   /dev/vda ext4",
	}
	for _, w := range want {
		if !contains(out.String(), w) {
			t.Errorf("report lacks the line %q:\n%s", w, out.String())
		}
	}
	// Every part once, in the board's order.
	if got := strings.Join(p.asked, ","); got != "FLIGHT_MODE,VBAT_EN,PWRKEY,RESET,W_DISABLE,STATUS,DTR,AP_READY,RI,"+
		"i2c SMBus stub driver 0x18,QEMU Virtio Keyboard,/dev/hvc0,card Audio,/dev/vda" {
		t.Errorf("asked %s", got)
	}
}

// Missing parts: each is a FAIL line with the prober's words, the
// others still reported, and the error names them.
func TestBoardReportFailures(t *testing.T) {
	p := &fakeProber{t: t, lines: qemuLines(""),
		missing: map[string]bool{"STATUS": true, "card Audio": true}}
	var out strings.Builder
	err := writeReport(&out, board.QEMUVirt, boardReport(board.QEMUVirt, p))
	if err == nil || !strings.Contains(err.Error(), "2 of 14 parts") || !strings.Contains(err.Error(), "radio STATUS, sound card") {
		t.Errorf("writeReport error = %v, want 2 of 14 parts: radio STATUS, sound card", err)
	}
	for _, w := range []string{"FAIL  radio STATUS    STATUS not found", "FAIL  sound card      card Audio not found",
		"ok    flight switch   FLIGHT_MODE at ringo-board line 0, active high, not held"} {
		if !contains(out.String(), w) {
			t.Errorf("report lacks %q:\n%s", w, out.String())
		}
	}
}

// A board without hardware says so, and a software flight switch is no
// failure.
func TestBoardReportHost(t *testing.T) {
	p := &fakeProber{t: t}
	var out strings.Builder
	if err := writeReport(&out, board.Host, boardReport(board.Host, p)); err != nil {
		t.Fatal(err)
	}
	if !contains(out.String(), "ok flight switch none: a software switch (phonectl flight on|off)") {
		t.Errorf("report:\n%s", out.String())
	}
	if len(p.asked) != 0 {
		t.Errorf("asked %q of a board without hardware", p.asked)
	}
}
