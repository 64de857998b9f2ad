package hil

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/internal/proctest"
	"github.com/ringo-phone/ringo/tools/qemu"
)

// Generous bounds for the guest under software emulation on a busy
// machine; the latencies themselves are measured by make bench.
const hwStep = 30 * time.Second

// hardwareScenarios runs issue 12's HIL checks on a booted image whose
// asterisk service is Home with iaxpbx beside it (pbxLog is its log), on
// the qemu-virt board: the flight switch through gpio-sim refuses 112 and
// lets VoIP call 600.
func hardwareScenarios(t *testing.T, m *qemu.Machine, pbxLog *proctest.Buffer) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	run := func(t *testing.T, cmd string) string {
		t.Helper()
		out, rc, err := m.Run(ctx, cmd)
		if err != nil || rc != 0 {
			t.Fatalf("%s: rc %d, %v\n%s", cmd, rc, err, out)
		}
		return out
	}
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

	// The asterisk account may place emergency calls: only flight mode
	// can then refuse 112.
	run(t, "iaxsettings set -emergency=true")
	run(t, "phonectl wait -service asterisk Home -timeout 60s")

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

		run(t, "phonectl hangup")
		run(t, "phonectl wait HangupLocal -timeout 30s")
	})
}
