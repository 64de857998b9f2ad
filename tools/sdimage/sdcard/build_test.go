package sdcard

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ringo-phone/ringo/board"
	"github.com/ringo-phone/ringo/internal/testenv"
	"github.com/ringo-phone/ringo/tools/sdimage/fdt"
)

func requireTools(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"sfdisk", "mformat", "mcopy", "mdir", "mkimage", "dumpimage", "mke2fs", "dpkg-deb", "fdtget"} {
		testenv.RequireTool(t, tool)
	}
}

func be32(v ...uint32) []byte {
	var b []byte
	for _, x := range v {
		b = binary.BigEndian.AppendUint32(b, x)
	}
	return b
}

// fakeDTB is a PinePhone-like tree: its compatible, the two Allwinner pin
// controllers the board names, and the extra nodes given.
func fakeDTB(compatible string, extra ...*fdt.Node) []byte {
	pinctrl := func(name, compat string, phandle uint32) *fdt.Node {
		return &fdt.Node{Name: name, Props: []fdt.Property{
			{Name: "compatible", Value: []byte(compat + "\x00")},
			{Name: "gpio-controller"},
			{Name: "#gpio-cells", Value: be32(3)},
			{Name: "phandle", Value: be32(phandle)},
		}}
	}
	soc := &fdt.Node{Name: "soc", Children: []*fdt.Node{
		pinctrl("pinctrl@1c20800", "allwinner,sun50i-a64-pinctrl", 1),
		pinctrl("pinctrl@1f02c00", "allwinner,sun50i-a64-r-pinctrl", 2),
	}}
	root := &fdt.Node{Props: []fdt.Property{{Name: "compatible", Value: []byte(compatible)}}, Children: append([]*fdt.Node{soc}, extra...)}
	return (&fdt.Tree{Root: root}).Marshal()
}

// fakeDeb builds a package holding the given files with dpkg-deb.
func fakeDeb(t *testing.T, files map[string][]byte) string {
	t.Helper()
	root := t.TempDir()
	for name, b := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(root, "DEBIAN"), 0o755); err != nil {
		t.Fatal(err)
	}
	control := "Package: fake-u-boot\nVersion: 1\nArchitecture: arm64\nMaintainer: Ringo tests <tests@example.org>\nDescription: a stand-in for u-boot-sunxi\n"
	if err := os.WriteFile(filepath.Join(root, "DEBIAN/control"), []byte(control), 0o644); err != nil {
		t.Fatal(err)
	}
	deb := filepath.Join(t.TempDir(), "fake.deb")
	if out, err := exec.Command("dpkg-deb", "--root-owner-group", "-Znone", "-b", root, deb).CombinedOutput(); err != nil {
		t.Fatalf("dpkg-deb -b: %v\n%s", err, out)
	}
	return deb
}

type inputs struct {
	cfg  Config
	want want
}

func fakeInputs(t *testing.T) inputs {
	t.Helper()
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	kernel := fakeKernel(1<<20, 3<<20)
	dtb := fakeDTB("pine64,pinephone-1.2\x00pine64,pinephone\x00allwinner,sun50i-a64\x00")
	initrd := bytes.Repeat([]byte("070701 not really a cpio "), 40000)
	spl := fakeSPL(32768, 1)
	fit := bytes.Repeat([]byte{0xd0, 0x0d, 0xfe, 0xed, 1, 2, 3}, 50000)
	tg, err := TargetByName("pinephone-1.2")
	if err != nil {
		t.Fatal(err)
	}
	deb := fakeDeb(t, map[string][]byte{
		"usr/lib/u-boot/pinephone/sunxi-spl.bin":                 spl,
		"usr/lib/u-boot/pinephone/u-boot-sunxi-with-spl.fit.itb": fit,
	})
	cfg := Config{
		Target: tg, Board: board.PinePhone12,
		Kernel: write("vmlinuz", kernel), DTBs: filepath.Join(dir, "dtbs"), Initrd: write("ringo.cpio", initrd),
		UBootDeb: deb, Out: filepath.Join(dir, "out.img"),
	}
	write("dtbs/"+tg.DTB, dtb)
	return inputs{cfg, want{
		spl: spl, fit: fit, board: board.PinePhone12, dtbName: filepath.Base(tg.DTB),
		boot: map[string][]byte{"vmlinuz": kernel, "ringo.cpio": initrd, filepath.Base(tg.DTB): dtb},
	}}
}

func TestBuild(t *testing.T) {
	requireTools(t)
	in := fakeInputs(t)
	res, err := Build(context.Background(), in.cfg)
	if err != nil {
		t.Fatal(err)
	}
	l := checkImage(t, in.cfg.Out, in.want)
	// The fake kernel is 1 MiB that says it occupies 3 MiB: the device
	// tree goes past the footprint, not past the file.
	if res.Plan.FDT.Addr != 0x40200000+4<<20 {
		t.Errorf("device tree at %#x, want 0x40600000 (past the 3 MiB footprint, 2 MiB aligned)", res.Plan.FDT.Addr)
	}
	for _, f := range []string{"vmlinuz", "ringo.cpio", "sun50i-a64-pinephone-1.2.dtb", "boot.scr", "boot.cmd"} {
		if !strings.Contains(strings.Join(l.files, " "), f) {
			t.Errorf("boot partition lacks %s: %q", f, l.files)
		}
	}
	if st, err := os.Stat(in.cfg.Out); err != nil || st.Size() != res.Size {
		t.Errorf("image size %v, %v; Result says %d", st.Size(), err, res.Size)
	}
	if _, err := os.Stat(in.cfg.Out + ".tmp"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s.tmp left behind: %v", in.cfg.Out, err)
	}
	var out bytes.Buffer
	res.Print(&out)
	for _, w := range []string{"SPL", "32 KiB at 8 KiB", "U-Boot FIT", "at 40 KiB", "boot partition", "64 MiB at 1 MiB", "state partition", "ringo-state", "ringo.board=pinephone-1.2"} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("Print lacks %q:\n%s", w, out.String())
		}
	}
}

func TestBuildRefuses(t *testing.T) {
	requireTools(t)
	cases := []struct {
		name  string
		spoil func(t *testing.T, c *Config)
		want  error
		words string
	}{
		{"another board's device tree", func(t *testing.T, c *Config) {
			os.WriteFile(filepath.Join(c.DTBs, c.Target.DTB), fakeDTB("pine64,pinephone-1.1\x00pine64,pinephone\x00"), 0o644)
		}, ErrInput, "does not select board pinephone-1.2"},
		{"an SPL with a bad checksum", func(t *testing.T, c *Config) {
			spl := fakeSPL(32768, 1)
			spl[100] ^= 1
			c.UBootDeb = fakeDeb(t, map[string][]byte{"usr/lib/u-boot/pinephone/sunxi-spl.bin": spl, "usr/lib/u-boot/pinephone/u-boot-sunxi-with-spl.fit.itb": {1}})
		}, ErrInput, "checksum"},
		{"a package without the board's U-Boot", func(t *testing.T, c *Config) {
			c.UBootDeb = fakeDeb(t, map[string][]byte{"usr/lib/u-boot/pine64_plus/sunxi-spl.bin": {1}})
		}, ErrInput, "has no /usr/lib/u-boot/pinephone/sunxi-spl.bin"},
		{"an SPL too big for its place", func(t *testing.T, c *Config) {
			c.UBootDeb = fakeDeb(t, map[string][]byte{"usr/lib/u-boot/pinephone/sunxi-spl.bin": fakeSPL(36864, 1), "usr/lib/u-boot/pinephone/u-boot-sunxi-with-spl.fit.itb": {1}})
		}, ErrTooBig, "does not fit"},
		{"a compressed kernel", func(t *testing.T, c *Config) {
			os.WriteFile(c.Kernel, append([]byte{0x1f, 0x8b}, make([]byte, 100)...), 0o644)
		}, ErrInput, "no arm64 Image magic"},
		{"no initramfs", func(t *testing.T, c *Config) { os.Remove(c.Initrd) }, ErrInput, "make image"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := fakeInputs(t)
			tc.spoil(t, &in.cfg)
			_, err := Build(context.Background(), in.cfg)
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.words) {
				t.Fatalf("Build = %v, want %v saying %q", err, tc.want, tc.words)
			}
			for _, f := range []string{in.cfg.Out, in.cfg.Out + ".tmp"} {
				if _, err := os.Stat(f); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("%s exists after a refused build", f)
				}
			}
		})
	}
}

// TestDeviceTreeProblems: the device tree check finds a board line that a
// node claims, a chip the tree lacks, and another board's compatible.
func TestDeviceTreeProblems(t *testing.T) {
	parse := func(b []byte) *fdt.Tree {
		tr, err := fdt.Parse(b)
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}
	ok := parse(fakeDTB("pine64,pinephone-1.2\x00"))
	if p := deviceTreeProblems(ok, board.PinePhone12); len(p) != 0 {
		t.Errorf("a clean tree: %q", p)
	}
	// A regulator on PL7 (VBAT_EN) and a hog on PH8 (W_DISABLE).
	vbat := &fdt.Node{Name: "vbat-bb", Props: []fdt.Property{{Name: "gpio", Value: be32(2, 0, 7, 0)}}}
	claimed := parse(fakeDTB("pine64,pinephone-1.2\x00", vbat))
	p := deviceTreeProblems(claimed, board.PinePhone12)
	if len(p) != 1 || !strings.Contains(p[0], "1f02c00.pinctrl:7 is the kernel's") || !strings.Contains(p[0], "/vbat-bb gpio") {
		t.Errorf("a regulator on VBAT_EN: %q, want one problem naming 1f02c00.pinctrl:7 and /vbat-bb", p)
	}
	other := board.PinePhone12
	other.Radio = &board.Radio{}
	*other.Radio = *board.PinePhone12.Radio
	other.Radio.Reset = board.Line{Chip: "1c20800.pinctl", Offset: 68, Active: board.ActiveHigh}
	if p := deviceTreeProblems(ok, other); len(p) != 1 || !strings.Contains(p[0], "no GPIO controller 1c20800.pinctl") {
		t.Errorf("a misspelt chip: %q", p)
	}
	if p := deviceTreeProblems(parse(fakeDTB("pine64,pinephone-1.1\x00")), board.PinePhone12); len(p) != 1 || !strings.Contains(p[0], "board.Lookup") {
		t.Errorf("the 1.1's compatible: %q", p)
	}
}

func TestBoardLines(t *testing.T) {
	lines := boardLines(board.PinePhone12)
	var s []string
	for _, l := range lines {
		s = append(s, l.String())
	}
	// The radio's eight lines, from docs/boards: VBAT_EN, PWRKEY, RESET,
	// W_DISABLE, STATUS, DTR, AP_READY, RI.
	want := "1f02c00.pinctrl:7 1c20800.pinctrl:35 1c20800.pinctrl:68 1c20800.pinctrl:232 1c20800.pinctrl:233 1c20800.pinctrl:34 1c20800.pinctrl:231 1f02c00.pinctrl:6"
	if strings.Join(s, " ") != want {
		t.Errorf("boardLines(PinePhone12) = %s\nwant %s", strings.Join(s, " "), want)
	}
}
