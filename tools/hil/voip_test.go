package hil

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/internal/testenv"
	"github.com/ringo-phone/ringo/tools/qemu"
)

// TestImageRegistersAndCalls boots the image with the embedded IAX2 peer
// beside it (the demo account the image ships), and from the serial
// console: phoned has started iaxagent, the asterisk service registers
// Home, `phonectl dial 600` reaches the echo extension and connects, and
// `phonectl hangup` ends the call. The machine has the sound card, and the
// call's audio goes through the guest's PulseAudio (sound_test.go).
func TestImageRegistersAndCalls(t *testing.T) {
	pbxBin := buildTool(t, "iaxpbx")
	// The virtio keyboard and a state disk are for the hardware and
	// persistence scenarios that share this boot (hardware_test.go,
	// persist_test.go).
	disk := newStateDisk(t)
	// The modem scenarios (modem_test.go): modemsim on the virtio console.
	modem, modemSock := startModem(t)
	// The sound scenarios (sound_test.go): the speaker's WAV, and where
	// iaxpbx records extension 602.
	sound := t.TempDir()
	speaker := followWAV(t, filepath.Join(sound, "speaker.wav"))
	m, _ := Boot(t, qemu.Config{Keyboard: true, StateDisk: disk, ModemSocket: modemSock, SoundWAV: speaker.path})
	pbxLog := startPBX(t, m, pbxBin, "-record-dir", sound)
	// Bounds this function's own steps, between the scenarios (each has
	// its own bound).
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	run := mustRun(ctx, m)
	// phoned's bus comes up shortly after the banner (phonectl wait needs
	// it); PulseAudio and the sound card's modules start at the same time.
	run(t, "until vsexplorer ls / >/dev/null 2>&1; do sleep 0.1; done")
	run(t, "phonectl wait -service asterisk Home -timeout 60s")
	status := run(t, "phonectl status")
	for _, w := range []string{"asterisk", "Home", "Asterisk"} {
		if !strings.Contains(status, w) {
			t.Errorf("phonectl status lacks %q:\n%s", w, status)
		}
	}
	run(t, "phonectl dial 600")
	run(t, "phonectl wait Connected -timeout 30s")
	run(t, "phonectl hangup")
	run(t, "phonectl wait HangupLocal -timeout 30s")
	if !strings.Contains(pbxLog.String(), "600") {
		t.Errorf("iaxpbx logged no call to 600:\n%s", pbxLog.String())
	}
	soundScenarios(t, m, speaker, pbxLog, sound)
	modemScenarios(t, m, modem)
	hardwareScenarios(t, m, pbxLog)
	persistSet(t, ctx, m)
	if err := m.PowerOff(ctx); err != nil {
		t.Errorf("poweroff: %v", err)
	}
	t.Run("settings survive a reboot", func(t *testing.T) { persistCheck(t, disk, pbxBin) })
}

// buildTool builds a host tool of this module into the test's directory.
func buildTool(t testing.TB, name string) string {
	t.Helper()
	testenv.RequireTool(t, "go")
	out := filepath.Join(t.TempDir(), name)
	cmd := exec.Command("go", "build", "-o", out, "./tools/"+name)
	cmd.Dir = moduleRoot()
	cmd.Env = os.Environ()
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", name, err, b)
	}
	return out
}
