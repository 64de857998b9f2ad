package sdcard

import "fmt"

// Where things sit on the card, in bytes. The A64's boot ROM reads the SPL
// at 8 KiB; the SPL reads the FIT image at 40 KiB (Debian's
// u-boot-install-sunxi64 writes them there); the first partition starts at
// 1 MiB, as partitioning tools align it.
const (
	SPLOffset      = 8 << 10
	FITOffset      = 40 << 10
	PartitionStart = 1 << 20
	// MBRSize is the partition table's sector.
	MBRSize = 512
)

// The memory U-Boot boots from on the A64: DRAM starts at DRAMBase, and
// U-Boot's sunxi environment loads boot.scr at ScriptAddr, where it stays
// while it runs, so nothing the script loads may reach it.
const (
	DRAMBase   = 0x40000000
	ScriptAddr = 0x4fc00000
	// KernelAddr is the kernel's load address: 2 MiB aligned, so that
	// booti runs the Image where it was loaded (a "place anywhere" kernel
	// loaded elsewhere would be moved to the next 2 MiB boundary).
	KernelAddr = DRAMBase + 2<<20
	// fdtRoom is what the device tree gets beyond its size: U-Boot adds
	// /chosen (bootargs, the initramfs's bounds) before the kernel runs.
	fdtRoom = 64 << 10
	align   = 2 << 20
)

// Region is one file's place in memory.
type Region struct {
	File string // its name in the boot partition
	Addr uint64
	Size uint64 // the memory it occupies (for the kernel: its footprint)
}

// End is the first address past the region.
func (r Region) End() uint64 { return r.Addr + r.Size }

func (r Region) String() string {
	return fmt.Sprintf("%s at %#x-%#x", r.File, r.Addr, r.End())
}

// BootPlan is where boot.scr loads each file, and the command line.
type BootPlan struct {
	Kernel, FDT, Initrd Region
	Bootargs            string
}

// PlanBoot puts the kernel at KernelAddr, the device tree at the next
// 2 MiB boundary after the kernel's whole footprint (image_size, BSS
// included, not just the file), and the initramfs at the next after the
// device tree and its room; all must end below ScriptAddr.
func PlanBoot(kernel, fdt, initrd Region, bootargs string) (BootPlan, error) {
	kernel.Addr = KernelAddr
	fdt.Addr = alignUp(kernel.End(), align)
	fdt.Size += fdtRoom
	initrd.Addr = alignUp(fdt.End(), align)
	p := BootPlan{Kernel: kernel, FDT: fdt, Initrd: initrd, Bootargs: bootargs}
	if initrd.End() > ScriptAddr {
		return BootPlan{}, fmt.Errorf("%w: the kernel (%d MiB in memory), device tree and initramfs (%d MiB) end at %#x, past U-Boot's script at %#x",
			ErrTooBig, kernel.Size>>20, initrd.Size>>20, initrd.End(), uint64(ScriptAddr))
	}
	return p, nil
}

func alignUp(v, a uint64) uint64 { return (v + a - 1) / a * a }

// Script is boot.cmd: the text that mkimage wraps into boot.scr. U-Boot's
// distro boot sets devtype, devnum and distro_bootpart to the partition
// it found the script on; the initramfs is loaded last so that filesize
// is its size.
func (p BootPlan) Script(board string) string {
	load := func(r Region) string {
		return fmt.Sprintf("load ${devtype} ${devnum}:${distro_bootpart} %#x %s\n", r.Addr, r.File)
	}
	return fmt.Sprintf(`# Ringo on the %[1]s. U-Boot's distro boot runs this script from the
# card's first partition (boot.scr is boot.cmd wrapped by mkimage -T script).
# tools/sdimage chose the load addresses for these files' sizes, each at a
# 2 MiB boundary past the one before (the kernel's whole footprint, BSS
# included), all below U-Boot's scriptaddr (%#[5]x), where this script
# sits while it runs:
#   %[2]s
#   %[3]s (and room for /chosen)
#   %[4]s
echo "Ringo: loading %[6]s, %[7]s and %[8]s"
setenv bootargs "%[9]s"
%[10]s%[11]s%[12]sbooti %#[13]x %#[14]x:${filesize} %#[15]x
`, board, p.Kernel, p.FDT, p.Initrd, uint64(ScriptAddr),
		p.Kernel.File, p.FDT.File, p.Initrd.File, p.Bootargs,
		load(p.Kernel), load(p.FDT), load(p.Initrd),
		p.Kernel.Addr, p.Initrd.Addr, p.FDT.Addr)
}
