package hil

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/internal/proctest"
	"github.com/ringo-phone/ringo/tools/qemu"
)

// Generous bounds for the guest under software emulation on a busy
// machine; the latencies themselves are measured by make bench.
const hwStep = 30 * time.Second

// The TLV320AIC3104's page 0 registers (decimal, as the data sheet numbers
// them) after phoned routes a connected call to the earpiece at its
// default volume 80, written here from the data sheet:
//   - 7 = 0x08: codec data path, the left DAC plays the left channel;
//   - 37 = 0x80: the left DAC powered;
//   - 15, 16 = 0x28: the left and right ADC PGAs unmuted at +20 dB (the
//     microphone on);
//   - 19 = 0x04, 20 = 0x78: LINE1L into the left ADC, powered, LINE2L not
//     connected;
//   - 25 = 0x40: microphone bias 2.0 V;
//   - 43, 44 = 0x14: the DAC digital volumes 20 × 0.5 dB below 0 dB, unmuted;
//   - 47 = 0x80, 51 = 0x0d: DAC_L1 routed to HPLOUT at 0 dB, HPLOUT
//     unmuted and powered (the earpiece);
//   - 82 = 0x00, 86 = 0x00, 61 = 0x00, 65 = 0x04: the line out and HPROUT
//     not routed and off (HPROUT's 0x04 is its reset value).
var earpieceRegs = []struct{ reg, value byte }{
	{7, 0x08}, {37, 0x80}, {15, 0x28}, {16, 0x28}, {19, 0x04}, {20, 0x78}, {25, 0x40},
	{43, 0x14}, {44, 0x14}, {47, 0x80}, {51, 0x0d}, {82, 0x00}, {86, 0x00}, {61, 0x00}, {65, 0x04},
}

// hardwareScenarios runs issue 12's HIL checks on a booted image whose
// asterisk service is Home with iaxpbx beside it (pbxLog is its log), on
// the qemu-virt board with the virtio keyboard: the flight switch through
// gpio-sim refuses 112 and lets VoIP call 600, the codec's registers on
// i2c-stub follow the call, flight off pulses the radio's PWRKEY, and keys
// pressed over QMP dial and hang up.
func hardwareScenarios(t *testing.T, m *qemu.Machine, pbxLog *proctest.Buffer) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	run := mustRun(ctx, m)
	// waitValue waits for a value-space listing of dir to show want,
	// asking the guest again every 50 ms (its console is the only way in).
	waitValue := func(t *testing.T, dir, want string) {
		t.Helper()
		deadline := time.Now().Add(hwStep)
		for {
			out, rc, err := m.Run(ctx, "vsexplorer ls "+dir)
			if err == nil && rc == 0 && strings.Contains(out, want) {
				return
			}
			if err != nil || time.Now().After(deadline) {
				t.Fatalf("vsexplorer ls %s did not show %q within %v (rc %d, %v); last listing:\n%s", dir, want, hwStep, rc, err, out)
			}
			select {
			case <-ctx.Done():
				t.Fatalf("waiting for %s to show %q: %v", dir, want, ctx.Err())
			case <-time.After(50 * time.Millisecond):
			}
		}
	}

	// waitOutput runs cmd every 50 ms until ok accepts its output, and
	// returns that output; at the deadline it fails with the last one.
	waitOutput := func(t *testing.T, cmd, what string, ok func(string) bool) string {
		t.Helper()
		deadline := time.Now().Add(hwStep)
		for {
			out, rc, err := m.Run(ctx, cmd)
			if err == nil && rc == 0 && ok(out) {
				return out
			}
			if err != nil || time.Now().After(deadline) {
				t.Fatalf("%s: no %s within %v (rc %d, %v); last output:\n%s", cmd, what, hwStep, rc, err, out)
			}
			select {
			case <-ctx.Done():
				t.Fatalf("waiting for %s: %v", what, ctx.Err())
			case <-time.After(50 * time.Millisecond):
			}
		}
	}

	// The asterisk account may place emergency calls: only flight mode
	// can then refuse 112.
	run(t, "iaxsettings set -emergency=true")
	run(t, "phonectl wait -service asterisk Home -timeout 60s")

	t.Run("hwcheck board reports every part", func(t *testing.T) {
		// Read while phoned holds the lines and devices: nothing is
		// taken from it.
		out := run(t, "hwcheck board")
		for _, part := range []string{"flight switch", "radio VBAT_EN", "radio PWRKEY", "radio STATUS", "radio RI",
			"codec", "keypad", "modem port", "sound card", "state storage"} {
			if !regexp.MustCompile(`(?m)^ok +` + part + ` `).MatchString(out) {
				t.Errorf("hwcheck board has no ok line for %s:\n%s", part, out)
			}
		}
		for _, w := range []string{"FLIGHT_MODE at ringo-board line 0, active high, held by ", "tlv320aic3104 at 0x18 on i2c-",
			"PulseAudio at /run/pulse/native"} {
			if !strings.Contains(out, w) {
				t.Errorf("hwcheck board lacks %q:\n%s", w, out)
			}
		}
	})

	t.Run("flight refuses 112", func(t *testing.T) {
		out := run(t, "hwsim flight on")
		if !strings.Contains(out, "FLIGHT_MODE driven high") {
			t.Errorf("hwsim flight on printed %q", out)
		}
		waitValue(t, "/Telephony/Status", "FlightMode = true")
		waitValue(t, "/Hardware", "FlightMode = true")
		out, rc, err := m.Run(ctx, "phonectl dial 112")
		if err != nil || rc == 0 {
			t.Fatalf("phonectl dial 112 in flight mode: rc %d, %v\n%s; want refused", rc, err, out)
		}
		const words = "Flight mode is on: emergency calls cannot be placed. Turn flight mode off to call 112."
		if !strings.Contains(out, words) {
			t.Errorf("phonectl dial 112 said %q, want the flight-mode words %q", out, words)
		}
		// The positive case: VoIP still calls in flight mode. When its
		// NEW reaches iaxpbx, a NEW for 112 would have too.
		run(t, "phonectl dial 600")
		run(t, "phonectl wait Connected -timeout 30s")
		pbxLog.WaitFor(t, "called=600", hwStep)
		if strings.Contains(pbxLog.String(), "called=112") {
			t.Errorf("iaxpbx received a NEW for 112 in flight mode:\n%s", pbxLog.String())
		}

		// The codec follows the connected call: the earpiece route's
		// registers, read back from i2c-stub over SMBus. phoned sets the
		// route in the value space before its writes reach the bus, so
		// the registers are read until they settle.
		waitValue(t, "/Hardware/Codec", `Route = "earpiece"`)
		var regs []string
		for _, r := range earpieceRegs {
			regs = append(regs, strconv.Itoa(int(r.reg)))
		}
		readRegs := func(out string) map[string]string {
			got := map[string]string{}
			for _, f := range strings.Fields(out) {
				if k, v, ok := strings.Cut(f, "="); ok {
					got[k] = v
				}
			}
			return got
		}
		matches := func(got map[string]string) bool {
			for _, r := range earpieceRegs {
				if got[strconv.Itoa(int(r.reg))] != fmt.Sprintf("0x%02x", r.value) {
					return false
				}
			}
			return true
		}
		cmd := "hwcheck i2c-read -addr 0x18 -regs " + strings.Join(regs, ",")
		out = waitOutput(t, cmd, "earpiece registers", func(out string) bool { return matches(readRegs(out)) })
		got := readRegs(out)
		for _, r := range earpieceRegs {
			want := fmt.Sprintf("0x%02x", r.value)
			if g := got[strconv.Itoa(int(r.reg))]; g != want {
				t.Errorf("codec register %d = %q during a call on the earpiece, want %s (hwcheck printed %q)", r.reg, g, want, out)
			}
		}

		run(t, "phonectl hangup")
		run(t, "phonectl wait HangupLocal -timeout 30s")
		waitValue(t, "/Hardware/Codec", `Route = "off"`)
	})

	t.Run("flight off pulses PWRKEY", func(t *testing.T) {
		// hwcheck times the pulse by the kernel's timestamps of the
		// simulator's sets (the console's own polling is starved on the
		// one emulated CPU). It is armed before the switch moves: the
		// guest waits (up to 30 s) until tracefs shows its kprobes
		// enabled. One command line, as the console ends a line's
		// background jobs with it.
		// The radio has finished going off for flight mode first: a
		// power-off pulse still running would end early when the switch
		// moves (the newest position cancels it) and be timed instead.
		waitValue(t, "/Hardware/Radio", `Power = "off"`)
		const enabled = "/sys/kernel/tracing/events/hwcheck/enable"
		out := run(t, "hwcheck pulse -line PWRKEY -timeout 60s > /tmp/pulse 2>&1 & "+
			"i=0; while ! grep -q 1 "+enabled+" 2>/dev/null; do i=$((i+1)); if [ $i -gt 600 ]; then echo kprobes not armed; break; fi; sleep 0.05; done; "+
			"hwsim flight off; wait; cat /tmp/pulse")
		mm := regexp.MustCompile(`PWRKEY high for (\d+) ms`).FindStringSubmatch(out)
		if mm == nil {
			t.Fatalf("hwcheck pulse printed %q", out)
		}
		ms, _ := strconv.Atoi(mm[1])
		t.Logf("PWRKEY pulse at power-on: %d ms", ms)
		if ms < 500 || ms > 600 {
			t.Errorf("PWRKEY pulse %d ms, want 550 ± 50 ms", ms)
		}
		// STATUS answered once the pulse is over: the radio reaches on.
		run(t, "hwsim status-line high")
		waitValue(t, "/Telephony/Status", "FlightMode = false")
		waitValue(t, "/Hardware/Radio", `Power = "on"`)
	})

	t.Run("keys dial and hang up", func(t *testing.T) {
		// /Hardware/Keypad/Device says the keyboard was found.
		waitValue(t, "/Hardware/Keypad", "Device = ")
		before := strings.Count(pbxLog.String(), "called=600")
		for _, k := range []string{"6", "0", "0"} {
			if err := m.PressKey(ctx, k); err != nil {
				t.Fatal(err)
			}
		}
		waitValue(t, "/Hardware/Keypad", `Digits = "600"`)
		if err := m.PressKey(ctx, "ret"); err != nil { // send
			t.Fatal(err)
		}
		run(t, "phonectl wait Connected -timeout 30s")
		if err := m.PressKey(ctx, "esc"); err != nil { // end
			t.Fatal(err)
		}
		run(t, "phonectl wait HangupLocal -timeout 30s")
		if n := strings.Count(pbxLog.String(), "called=600"); n != before+1 {
			t.Errorf("iaxpbx logged %d calls to 600 after the keys, want %d:\n%s", n, before+1, pbxLog.String())
		}
	})
}
