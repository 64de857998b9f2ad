package sdcard

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/ringo-phone/ringo/board"
	"github.com/ringo-phone/ringo/tools/sdimage/fdt"
)

// The boot partition's files.
const (
	KernelFile = "vmlinuz"
	InitrdFile = "ringo.cpio"
	ScriptFile = "boot.scr"
	// ScriptSource is boot.scr's text, kept beside it for people.
	ScriptSource = "boot.cmd"
	// BootLabel is the boot partition's FAT label.
	BootLabel = "RINGOBOOT"
	// DiskID is the MBR's disk identifier ("Ring"), fixed so that two
	// builds of the same files make the same table.
	DiskID = 0x52696e67
)

// StateSize is the state partition's size: configuration and the flight
// request, not data.
const StateSize = 64 << 20

// Config says what goes into an image.
type Config struct {
	Target Target
	// Board is the board's description; its compatible strings must
	// match the device tree's, and its Storage, if it names a label,
	// becomes the state partition.
	Board board.Board
	// Kernel is Debian's arm64 Image (build/kernel/vmlinuz).
	Kernel string
	// DTBs is the kernel package's device tree directory
	// (build/kernel/dtbs), where Target.DTB is found.
	DTBs string
	// Initrd is Ringo's initramfs for the board (build/ringo-BOARD.cpio).
	Initrd string
	// UBootDeb is Debian's u-boot-sunxi:arm64 package.
	UBootDeb string
	// Out is the image file to write; a .bmap beside it when bmaptool is
	// installed.
	Out string
}

// Part is one piece of the image.
type Part struct {
	What   string
	Offset int64
	Size   int64
	Detail string
}

// Result says what Build wrote.
type Result struct {
	Image string
	Size  int64
	Parts []Part
	// Files are the boot partition's files and their sizes.
	Files []File
	Plan  BootPlan
	// Bmap is the block map's path, or "" without bmaptool.
	Bmap string
}

// File is a file of the boot partition.
type File struct {
	Name string
	Size int64
}

// Build writes the image: into Out.tmp, renamed to Out once whole.
func Build(ctx context.Context, c Config) (Result, error) {
	res := Result{Image: c.Out}
	kernelHead, kernelSize, err := readHead(c.Kernel, 64)
	if err != nil {
		return res, err
	}
	k, err := ParseKernelImage(kernelHead)
	if err != nil {
		return res, fmt.Errorf("%s: %w", c.Kernel, err)
	}
	dtbPath := filepath.Join(c.DTBs, c.Target.DTB)
	dtb, err := os.ReadFile(dtbPath)
	if err != nil {
		return res, fmt.Errorf("%w: %w (run `make kernel`: it keeps the kernel package's device trees)", ErrInput, err)
	}
	if err := checkCompatible(dtb, c.Board); err != nil {
		return res, fmt.Errorf("%s: %w", dtbPath, err)
	}
	initrd, err := os.Stat(c.Initrd)
	if err != nil {
		return res, fmt.Errorf("%w: %w (run `make image`)", ErrInput, err)
	}
	spl, fit, err := uboot(ctx, c)
	if err != nil {
		return res, err
	}
	dtbName := path.Base(c.Target.DTB)
	res.Plan, err = PlanBoot(
		Region{File: KernelFile, Size: k.Footprint(uint64(kernelSize))},
		Region{File: dtbName, Size: uint64(len(dtb))},
		Region{File: InitrdFile, Size: uint64(initrd.Size())},
		c.Target.Bootargs())
	if err != nil {
		return res, err
	}

	tmp, err := os.MkdirTemp("", "sdimage-")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(tmp)
	cmd := filepath.Join(tmp, ScriptSource)
	scr := filepath.Join(tmp, ScriptFile)
	if err := os.WriteFile(cmd, []byte(res.Plan.Script(c.Target.Board)), 0o644); err != nil {
		return res, err
	}
	if _, err := run(ctx, nil, "mkimage", "-A", "arm64", "-O", "linux", "-T", "script", "-C", "none",
		"-n", "Ringo "+c.Target.Board, "-d", cmd, scr); err != nil {
		return res, err
	}
	sources := []struct{ name, path string }{
		{KernelFile, c.Kernel}, {dtbName, dtbPath}, {InitrdFile, c.Initrd}, {ScriptFile, scr}, {ScriptSource, cmd},
	}
	var total int64
	for _, s := range sources {
		st, err := os.Stat(s.path)
		if err != nil {
			return res, err
		}
		res.Files = append(res.Files, File{s.name, st.Size()})
		total += st.Size()
	}

	// The boot partition has room for a kernel and initramfs a quarter
	// larger; the state partition follows it.
	bootSize := max(64<<20, alignUp64(total+total/4, 16<<20))
	bootOff := int64(PartitionStart)
	size := bootOff + bootSize
	var stateOff int64
	state := stateLabel(c.Board)
	if state != "" {
		stateOff = size
		size += StateSize
	}
	res.Size = size
	res.Parts = []Part{
		{What: "MBR", Offset: 0, Size: MBRSize, Detail: fmt.Sprintf("disk id %#08x", DiskID)},
		{What: "SPL", Offset: SPLOffset, Size: int64(len(spl)), Detail: "u-boot-sunxi " + c.Target.UBoot + "/sunxi-spl.bin"},
		{What: "U-Boot FIT", Offset: FITOffset, Size: int64(len(fit)), Detail: "u-boot-sunxi " + c.Target.UBoot + "/u-boot-sunxi-with-spl.fit.itb"},
		{What: "boot partition", Offset: bootOff, Size: bootSize, Detail: "FAT32 " + BootLabel},
	}
	if state != "" {
		res.Parts = append(res.Parts, Part{What: "state partition", Offset: stateOff, Size: StateSize, Detail: "ext4 " + state + ", empty"})
	}

	out := c.Out + ".tmp"
	if err := writeImage(ctx, out, size, spl, fit); err != nil {
		os.Remove(out)
		return res, err
	}
	if err := partition(ctx, out, bootOff, bootSize, stateOff); err != nil {
		os.Remove(out)
		return res, err
	}
	if err := fillBoot(ctx, out, bootOff, bootSize, sources); err != nil {
		os.Remove(out)
		return res, err
	}
	if state != "" {
		if _, err := run(ctx, nil, "mke2fs", "-q", "-F", "-t", "ext4", "-L", state,
			"-E", "offset="+strconv.FormatInt(stateOff, 10)+",root_owner=0:0",
			out, strconv.FormatInt(StateSize>>10, 10)+"k"); err != nil {
			os.Remove(out)
			return res, err
		}
	}
	if err := os.Rename(out, c.Out); err != nil {
		return res, err
	}
	bmap := c.Out + ".bmap"
	os.Remove(bmap)
	if _, err := exec.LookPath("bmaptool"); err == nil {
		if _, err := run(ctx, nil, "bmaptool", "create", "-o", bmap, c.Out); err != nil {
			return res, err
		}
		res.Bmap = bmap
	}
	return res, nil
}

// readHead reads a file's first n bytes and returns its size.
func readHead(name string, n int) ([]byte, int64, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %w (run `make kernel`)", ErrInput, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, 0, err
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(f, b); err != nil {
		return nil, 0, fmt.Errorf("%w: %s: %w", ErrInput, name, err)
	}
	return b, st.Size(), nil
}

// checkCompatible makes sure the device tree is the board's: board.Lookup
// of its root compatible strings picks this board.
func checkCompatible(dtb []byte, b board.Board) error {
	t, err := fdt.Parse(dtb)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInput, err)
	}
	compat := t.Root.Strings("compatible")
	got, err := board.Lookup(compat)
	if err != nil || got.Name != b.Name {
		return fmt.Errorf("%w: device tree compatible %q does not select board %s (%v)", ErrInput, compat, b.Name, err)
	}
	return nil
}

// uboot takes the board's SPL and FIT image out of Debian's package and
// checks that they fit where they go.
func uboot(ctx context.Context, c Config) (spl, fit []byte, err error) {
	dir := "usr/lib/u-boot/" + c.Target.UBoot + "/"
	files, err := DebFiles(ctx, c.UBootDeb, dir+"sunxi-spl.bin", dir+"u-boot-sunxi-with-spl.fit.itb")
	if err != nil {
		return nil, nil, err
	}
	spl, fit = files[dir+"sunxi-spl.bin"], files[dir+"u-boot-sunxi-with-spl.fit.itb"]
	n, err := CheckEGON(spl)
	if err != nil {
		return nil, nil, err
	}
	if n != len(spl) || SPLOffset+len(spl) > FITOffset {
		return nil, nil, fmt.Errorf("%w: SPL of %d bytes (header: %d) does not fit between %d and the FIT image at %d", ErrTooBig, len(spl), n, SPLOffset, FITOffset)
	}
	if FITOffset+len(fit) > PartitionStart {
		return nil, nil, fmt.Errorf("%w: FIT image of %d bytes at %d reaches the first partition at %d", ErrTooBig, len(fit), FITOffset, PartitionStart)
	}
	return spl, fit, nil
}

func stateLabel(b board.Board) string {
	if b.Storage == nil || b.Storage.Label == "" {
		return ""
	}
	return b.Storage.Label
}

// writeImage makes a sparse file of the image's size with U-Boot in place.
func writeImage(ctx context.Context, out string, size int64, spl, fit []byte) error {
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	err = f.Truncate(size)
	if err == nil {
		_, err = f.WriteAt(spl, SPLOffset)
	}
	if err == nil {
		_, err = f.WriteAt(fit, FITOffset)
	}
	return errors.Join(err, f.Close())
}

// partition writes the MBR: the boot partition (FAT32 LBA, bootable, as
// distro boot looks first on bootable partitions) and the state
// partition. sfdisk writes the first sector only.
func partition(ctx context.Context, img string, bootOff, bootSize, stateOff int64) error {
	var b strings.Builder
	fmt.Fprintf(&b, "label: dos\nlabel-id: %#08x\nunit: sectors\n", DiskID)
	fmt.Fprintf(&b, "start=%d, size=%d, type=c, bootable\n", bootOff/512, bootSize/512)
	if stateOff != 0 {
		fmt.Fprintf(&b, "start=%d, size=%d, type=83\n", stateOff/512, StateSize/512)
	}
	_, err := run(ctx, strings.NewReader(b.String()), "sfdisk", "--quiet", "--no-reread", "--no-tell-kernel", "--wipe", "never", img)
	return err
}

// fillBoot makes the FAT32 filesystem in place and copies the files in.
func fillBoot(ctx context.Context, img string, off, size int64, sources []struct{ name, path string }) error {
	at := img + "@@" + strconv.FormatInt(off, 10)
	if _, err := run(ctx, nil, "mformat", "-i", at, "-F", "-v", BootLabel, "-N", fmt.Sprintf("%08x", DiskID),
		"-T", strconv.FormatInt(size/512, 10), "-h", "64", "-s", "32", "::"); err != nil {
		return err
	}
	for _, s := range sources {
		if _, err := run(ctx, nil, "mcopy", "-i", at, "-D", "o", s.path, "::/"+s.name); err != nil {
			return err
		}
	}
	return nil
}

func alignUp64(v, a int64) int64 { return (v + a - 1) / a * a }
