package sdcard

import (
	"bytes"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ringo-phone/ringo/board"
	"github.com/ringo-phone/ringo/internal/testenv"
)

func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			t.Fatalf("no go.mod above %s", dir)
		}
	}
}

// TestPinePhoneImage checks the image `make image BOARD=pinephone-1.2`
// built (make test builds it first), against Debian's own files: the
// table, U-Boot's two pieces, the boot script and its load addresses, the
// device tree against the board description, and that the kernel and
// initramfs are the ones the HIL suite boots.
func TestPinePhoneImage(t *testing.T) {
	root := moduleRoot(t)
	build := filepath.Join(root, "build")
	img := filepath.Join(build, "ringo-pinephone-1.2.img")
	deb := filepath.Join(build, "u-boot/u-boot-sunxi.deb")
	tg, err := TargetByName("pinephone-1.2")
	if err != nil {
		t.Fatal(err)
	}
	dtbPath := filepath.Join(build, "kernel/dtbs", tg.DTB)
	for _, f := range []string{img, deb, dtbPath} {
		if _, err := os.Stat(f); err != nil {
			if testenv.Strict() {
				t.Fatalf("no PinePhone image (RINGO_STRICT=1): %v; run `make image BOARD=pinephone-1.2`", err)
			}
			t.Skipf("no PinePhone image: %v; run `make image BOARD=pinephone-1.2`", err)
		}
	}
	requireTools(t)
	read := func(p string) []byte {
		t.Helper()
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	// Debian's files, unpacked here by dpkg-deb rather than by the builder.
	unpacked := t.TempDir()
	if out, err := exec.Command("dpkg-deb", "-x", deb, unpacked).CombinedOutput(); err != nil {
		t.Fatalf("dpkg-deb -x: %v\n%s", err, out)
	}
	ub := filepath.Join(unpacked, "usr/lib/u-boot", tg.UBoot)
	spl := read(filepath.Join(ub, "sunxi-spl.bin"))
	w := want{
		spl: spl, fit: read(filepath.Join(ub, "u-boot-sunxi-with-spl.fit.itb")),
		board: board.PinePhone12, dtbName: filepath.Base(tg.DTB),
		boot: map[string][]byte{
			"vmlinuz": read(filepath.Join(build, "kernel/vmlinuz")),
			// The board's own initramfs (its modules only), as the card's
			// ringo.cpio.
			"ringo.cpio":          read(filepath.Join(build, "ringo-"+board.PinePhone12.Name+".cpio")),
			filepath.Base(tg.DTB): read(dtbPath),
		},
	}
	l := checkImage(t, img, w)
	if t.Failed() {
		t.Log("an image older than its inputs differs from them: run `make image BOARD=pinephone-1.2`")
	}

	// Debian's SPL is the PinePhone 1.2's: its SPL header (version 2 and
	// later, "SPL" at 0x14) names the device tree it picks from the FIT.
	if string(spl[0x14:0x17]) != "SPL" || spl[0x17] < 2 {
		t.Errorf("sunxi-spl.bin has no SPL header v2 at 0x14: % x", spl[0x14:0x18])
	} else {
		off := binary.LittleEndian.Uint32(spl[0x20:])
		if int(off) >= len(spl) {
			t.Fatalf("SPL device tree name at %d, past the SPL", off)
		}
		name := string(spl[off : int(off)+bytes.IndexByte(spl[off:], 0)])
		if name != "sun50i-a64-pinephone-1.2" {
			t.Errorf("the SPL picks device tree %q, want sun50i-a64-pinephone-1.2", name)
		}
	}

	// Debian's U-Boot runs the script as the checks assume: its default
	// environment (inside the FIT image) runs distro boot, which looks for
	// /boot.scr, loads it to scriptaddr (the address the load regions
	// were checked against) and sets the variables the script's loads use.
	env := ubootEnv(w.fit)
	for key, want := range map[string]string{
		"bootcmd":    "run distro_bootcmd",
		"scriptaddr": "0x" + strconv.FormatUint(scriptAddr, 16),
	} {
		if got := env[key]; !strings.EqualFold(got, want) {
			t.Errorf("U-Boot's %s = %q, want %q", key, got, want)
		}
	}
	if !slices.Contains(strings.Fields(env["boot_prefixes"]), "/") || !slices.Contains(strings.Fields(env["boot_scripts"]), "boot.scr") {
		t.Errorf("U-Boot looks for scripts %q under %q: not /boot.scr", env["boot_scripts"], env["boot_prefixes"])
	}
	if !strings.Contains(env["boot_a_script"], "load ${devtype} ${devnum}:${distro_bootpart} ${scriptaddr}") {
		t.Errorf("U-Boot's boot_a_script = %q: not the variables boot.scr's loads use", env["boot_a_script"])
	}

	// The block map, when bmaptool made one, describes this image.
	if _, err := exec.LookPath("bmaptool"); err == nil || testenv.Strict() {
		bmap, err := os.ReadFile(img + ".bmap")
		if err != nil {
			t.Fatalf("no block map beside the image: %v", err)
		}
		m := regexp.MustCompile(`<ImageSize> *(\d+) *</ImageSize>`).FindSubmatch(bmap)
		st, _ := os.Stat(img)
		if m == nil || string(m[1]) != strconv.FormatInt(st.Size(), 10) {
			t.Errorf("the block map's ImageSize %q, the image has %d bytes", m, st.Size())
		}
	}
	t.Logf("boot partition at %d: %q", l.bootOffset, l.files)
}

// ubootEnv reads U-Boot's default environment out of its binary: NUL
// separated name=value strings.
func ubootEnv(b []byte) map[string]string {
	name := regexp.MustCompile(`^[a-z_]+$`)
	env := map[string]string{}
	for _, s := range bytes.Split(b, []byte{0}) {
		k, v, ok := strings.Cut(string(s), "=")
		if ok && name.MatchString(k) {
			if _, seen := env[k]; !seen {
				env[k] = v
			}
		}
	}
	return env
}
