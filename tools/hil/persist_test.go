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

// persistName is the caller id name set in one boot and looked for after
// the reboot.
const persistName = "Persisted Handset"

// newStateDisk makes a fresh state disk as `make state-disk` does: 64 MB
// of ext4 labelled ringo-state with the config and state directories.
func newStateDisk(t testing.TB) string {
	t.Helper()
	testenv.RequireTool(t, "mkfs.ext4")
	dir := t.TempDir()
	seed := filepath.Join(dir, "seed")
	for _, d := range []string{"config", "state"} {
		if err := os.MkdirAll(filepath.Join(seed, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	img := filepath.Join(dir, "state.img")
	cmd := exec.Command("mkfs.ext4", "-q", "-F", "-L", "ringo-state", "-E", "root_owner=0:0", "-d", seed, img, "64M")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("mkfs.ext4: %v\n%s", err, out)
	}
	return img
}

// persistSet changes the account's caller id name in the running boot;
// persistCheck, after the machine powered off, boots the same state disk
// again and checks that the setting survived and the account is Home.
func persistSet(t *testing.T, ctx context.Context, m *qemu.Machine) {
	t.Helper()
	if tr := m.Transcript(); !strings.Contains(tr, "ringo: persistent storage /dev/vda on ") {
		t.Fatalf("the boot did not mount its state disk (the console should say \"ringo: persistent storage /dev/vda on ...\"):\n%s", printable(tr))
	}
	if out, rc, err := m.Run(ctx, "iaxsettings set -callerid-name '"+persistName+"'"); err != nil || rc != 0 {
		t.Fatalf("iaxsettings set: rc %d, %v\n%s", rc, err, out)
	}
	// The write reaches the disk before the power-off.
	if out, rc, err := m.Run(ctx, "sync"); err != nil || rc != 0 {
		t.Fatalf("sync: rc %d, %v\n%s", rc, err, out)
	}
}

func persistCheck(t *testing.T, disk, pbxBin string) {
	t.Helper()
	m, _ := Boot(t, qemu.Config{StateDisk: disk})
	if tr := m.Transcript(); !strings.Contains(tr, "ringo: persistent storage /dev/vda on ") {
		t.Fatalf("the reboot did not mount its state disk:\n%s", printable(tr))
	}
	startPBX(t, m, pbxBin)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, rc, err := m.Run(ctx, "iaxsettings show")
	if err != nil || rc != 0 {
		t.Fatalf("iaxsettings show after the reboot: rc %d, %v\n%s", rc, err, out)
	}
	if !strings.Contains(out, `"`+persistName+`"`) {
		t.Errorf("after the reboot iaxsettings show lacks the caller id name %q set before it:\n%s", persistName, out)
	}
	if out, rc, err := m.Run(ctx, "phonectl wait -service asterisk Home -timeout 60s"); err != nil || rc != 0 {
		t.Errorf("asterisk not Home after the reboot: rc %d, %v\n%s", rc, err, out)
	}
	if err := m.PowerOff(ctx); err != nil {
		t.Errorf("poweroff after the reboot: %v", err)
	}
}
