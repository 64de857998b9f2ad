package sdcard

import (
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
)

// fakeKernel is an arm64 Image header followed by zeros: fileSize bytes
// that say they occupy imageSize.
func fakeKernel(fileSize int, imageSize uint64) []byte {
	b := make([]byte, fileSize)
	copy(b, "MZ")
	binary.LittleEndian.PutUint64(b[16:], imageSize)
	binary.LittleEndian.PutUint64(b[24:], 0x0a) // 4K pages, anywhere
	copy(b[56:], "ARM\x64")
	return b
}

// fakeSPL is an SPL of n bytes with a valid eGON header, its checksum
// computed here as the boot ROM does.
func fakeSPL(n int, seed uint64) []byte {
	b := make([]byte, n)
	r := rand.New(rand.NewPCG(seed, 1))
	for i := range b {
		b[i] = byte(r.IntN(256))
	}
	le := binary.LittleEndian
	le.PutUint32(b, 0xea000016)
	copy(b[4:], "eGON.BT0")
	le.PutUint32(b[12:], 0x5f0a6c39)
	le.PutUint32(b[16:], uint32(n))
	var sum uint32
	for i := 0; i < n; i += 4 {
		sum += le.Uint32(b[i:])
	}
	le.PutUint32(b[12:], sum)
	return b
}

func TestParseKernelImage(t *testing.T) {
	k, err := ParseKernelImage(fakeKernel(4096, 0x2010000))
	if err != nil {
		t.Fatal(err)
	}
	if k.ImageSize != 0x2010000 || k.TextOffset != 0 || k.Flags != 0x0a {
		t.Errorf("ParseKernelImage = %+v", k)
	}
	if got := k.Footprint(4096); got != 0x2010000 {
		t.Errorf("Footprint(4096) = %#x, want image_size 0x2010000", got)
	}
	if got := k.Footprint(0x3000000); got != 0x3000000 {
		t.Errorf("Footprint of a file larger than image_size = %#x, want the file's 0x3000000", got)
	}
	noMagic := fakeKernel(4096, 1)
	copy(noMagic[56:], "xxxx")
	zero := fakeKernel(4096, 0)
	bigEndian := fakeKernel(4096, 1)
	bigEndian[24] |= 1
	for name, b := range map[string][]byte{"short": make([]byte, 63), "no magic": noMagic, "image_size 0": zero, "big-endian": bigEndian} {
		if _, err := ParseKernelImage(b); !errors.Is(err, ErrInput) {
			t.Errorf("%s: ParseKernelImage = %v, want ErrInput", name, err)
		}
	}
}

func TestCheckEGON(t *testing.T) {
	spl := fakeSPL(32768, 7)
	if n, err := CheckEGON(spl); err != nil || n != 32768 {
		t.Fatalf("CheckEGON(valid) = %d, %v; want 32768", n, err)
	}
	flipped := append([]byte(nil), spl...)
	flipped[1000] ^= 0x10
	badLen := append([]byte(nil), spl...)
	binary.LittleEndian.PutUint32(badLen[16:], 40000)
	noMagic := append([]byte(nil), spl...)
	copy(noMagic[4:], "eGON.BT1")
	for name, b := range map[string][]byte{"a flipped bit": flipped, "length past the file": badLen, "no magic": noMagic, "short": spl[:16]} {
		if _, err := CheckEGON(b); !errors.Is(err, ErrInput) {
			t.Errorf("%s: CheckEGON = %v, want ErrInput", name, err)
		}
	}
}

func TestPlanBoot(t *testing.T) {
	// Debian's 6.1 kernel: image_size 0x2010000; a 32173-byte device
	// tree; a 17 MB initramfs. Worked out by hand: the kernel ends at
	// 0x42210000, so the device tree goes at 0x42400000; it and its 64 KiB
	// of room end at 0x42417dad, so the initramfs goes at 0x42600000.
	p, err := PlanBoot(Region{File: "vmlinuz", Size: 0x2010000}, Region{File: "x.dtb", Size: 32173},
		Region{File: "ringo.cpio", Size: 17000000}, "console=ttyS0,115200")
	if err != nil {
		t.Fatal(err)
	}
	if p.Kernel.Addr != 0x40200000 || p.FDT.Addr != 0x42400000 || p.Initrd.Addr != 0x42600000 {
		t.Errorf("PlanBoot addresses: kernel %#x, fdt %#x, initrd %#x; want 0x40200000, 0x42400000, 0x42600000",
			p.Kernel.Addr, p.FDT.Addr, p.Initrd.Addr)
	}
	if p.FDT.Size != 32173+65536 {
		t.Errorf("device tree region %d bytes, want its size and 64 KiB", p.FDT.Size)
	}
	// Too much to fit below the script.
	if _, err := PlanBoot(Region{Size: 0x2010000}, Region{Size: 1}, Region{Size: 0x10000000}, ""); !errors.Is(err, ErrTooBig) {
		t.Errorf("a 256 MiB initramfs: PlanBoot = %v, want ErrTooBig", err)
	}
}

func TestScript(t *testing.T) {
	p, err := PlanBoot(Region{File: "vmlinuz", Size: 0x2010000}, Region{File: "b.dtb", Size: 100},
		Region{File: "ringo.cpio", Size: 1000}, "console=ttyS0,115200 ringo.board=b")
	if err != nil {
		t.Fatal(err)
	}
	s := p.Script("b")
	var cmds []string
	for _, l := range strings.Split(s, "\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			cmds = append(cmds, l)
		}
	}
	want := []string{
		`echo "Ringo: loading vmlinuz, b.dtb and ringo.cpio"`,
		`setenv bootargs "console=ttyS0,115200 ringo.board=b"`,
		`load ${devtype} ${devnum}:${distro_bootpart} 0x40200000 vmlinuz`,
		`load ${devtype} ${devnum}:${distro_bootpart} 0x42400000 b.dtb`,
		`load ${devtype} ${devnum}:${distro_bootpart} 0x42600000 ringo.cpio`,
		`booti 0x40200000 0x42600000:${filesize} 0x42400000`,
	}
	if strings.Join(cmds, "\n") != strings.Join(want, "\n") {
		t.Errorf("Script commands =\n%s\nwant\n%s", strings.Join(cmds, "\n"), strings.Join(want, "\n"))
	}
}

func TestTargetByName(t *testing.T) {
	tg, err := TargetByName("pinephone-1.2")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := tg.Bootargs(), "console=ttyS0,115200 ringo.board=pinephone-1.2"; got != want {
		t.Errorf("Bootargs() = %q, want %q", got, want)
	}
	_, err = TargetByName("qemu-virt")
	if !errors.Is(err, ErrUnknownBoard) || !strings.Contains(err.Error(), "pinephone-1.2") {
		t.Errorf("TargetByName(qemu-virt) = %v, want ErrUnknownBoard naming the boards that have one", err)
	}
}

func TestHuman(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 512: "512 B", 32768: "32 KiB", 729749: "712.6 KiB", 64 << 20: "64 MiB", 32956352: "31.4 MiB"} {
		if got := human(n); got != want {
			t.Errorf("human(%d) = %q, want %q", n, got, want)
		}
	}
}
