package hil

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/internal/proctest"
	"github.com/ringo-phone/ringo/tools/qemu"
)

// startModem runs modemsim on the host, serving the modem on a unix
// socket that the guest's virtio console joins (qemu.Config.ModemSocket):
// the qemu-virt board's /dev/hvc0. It returns the socket and modemsim;
// its output has one `msg=at` line for every command the guest sent.
// The network is out of reach (searching) until modemScenarios registers
// the modem: with two services Home, `phonectl dial 600` would ask which
// one, and the other scenarios of the shared boot dial 600 over VoIP.
func startModem(t *testing.T) (*modemSim, string) {
	t.Helper()
	bin := buildTool(t, "modemsim")
	dir := t.TempDir()
	ms := &modemSim{bin: bin, control: filepath.Join(dir, "modem.ctl")}
	sock := filepath.Join(dir, "modem.sock")
	ms.Proc = proctest.Start(t, bin, nil, "-socket", sock, "-control", ms.control, "-network", "searching")
	ms.WaitLine(`msg="modem on a socket"`, hwStep)
	return ms, sock
}

// modemSim is modemsim and its control socket.
type modemSim struct {
	*proctest.Proc
	bin, control string
}

// send runs one control command.
func (ms *modemSim) send(t *testing.T, cmd string) {
	t.Helper()
	if out, err := exec.Command(ms.bin, "-control", ms.control, "-send", cmd).CombinedOutput(); err != nil {
		t.Fatalf("modemsim -send %q: %v\n%s", cmd, err, out)
	}
}

// modemScenarios runs issue 14's HIL checks on a booted image whose
// virtio console is modemsim's socket: phoned started the image's
// modemagent, which found its port on the board and registered the
// modem service Home; the flight line flipped through gpio-sim reaches
// the modem as AT+CFUN=4, and as AT+CFUN=1 when it flips back.
func modemScenarios(t *testing.T, m *qemu.Machine, sim *modemSim) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	run := mustRun(ctx, m)
	t.Run("modem over the virtio console", func(t *testing.T) {
		sim.send(t, "register home")
		// Out of reach again afterwards, whatever happens here.
		defer sim.send(t, "deregister")
		run(t, "phonectl wait -service modem Home -timeout 60s")
		status := run(t, "phonectl status")
		for _, w := range []string{"modem", "Voice", "asterisk"} {
			if !strings.Contains(status, w) {
				t.Errorf("phonectl status lacks %q:\n%s", w, status)
			}
		}
		// The AT commands arrive over the console: the agent's opening
		// ones are in modemsim's log already.
		if !strings.Contains(sim.Output(), "msg=at") {
			t.Errorf("modemsim logged no AT command from the guest:\n%s", sim.Output())
		}

		// Counted, since the agent may turn the radio on as it starts.
		const off, on = `msg=at .*AT\+CFUN=4`, `msg=at .*AT\+CFUN=1`
		offs, ons := len(sim.Matching(off)), len(sim.Matching(on))
		run(t, "hwsim flight on")
		sim.WaitCount(off, offs+1, hwStep)
		run(t, "hwsim flight off")
		sim.WaitCount(on, ons+1, hwStep)
	})
}
