package sdcard

// The checks a built image must pass, made from outside: sfdisk -J reads
// the table, mtools the boot partition, dumpimage the boot script; the
// eGON checksum, the uImage header, the script's commands and the ext4
// superblock are read here, with the offsets Debian's u-boot-install-sunxi64
// uses written out rather than taken from the package's constants.

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ringo-phone/ringo/board"
	"github.com/ringo-phone/ringo/internal/testenv"
	"github.com/ringo-phone/ringo/tools/sdimage/fdt"
)

const (
	splAt = 8192  // u-boot-install-sunxi64: dd bs=8k seek=1
	fitAt = 40960 // dd bs=8k seek=5
	mib   = 1 << 20
	// U-Boot's sunxi arm64 environment: DRAM base and scriptaddr.
	dramBase   = 0x40000000
	scriptAddr = 0x4fc00000
)

// want is what a check expects of an image.
type want struct {
	spl, fit []byte            // Debian's files
	boot     map[string][]byte // boot partition files that must be byte-equal
	board    board.Board
	dtbName  string
}

// layout is what the checks found.
type layout struct {
	bootOffset int64
	files      []string
	script     string
	dtb        *fdt.Tree
}

func tool(t testing.TB, name string, args ...string) []byte {
	t.Helper()
	testenv.RequireTool(t, name)
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "MTOOLS_SKIP_CHECK=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return out
}

type sfdiskTable struct {
	PartitionTable struct {
		Label      string `json:"label"`
		ID         string `json:"id"`
		SectorSize int64  `json:"sectorsize"`
		Partitions []struct {
			Node     string `json:"node"`
			Start    int64  `json:"start"`
			Size     int64  `json:"size"`
			Type     string `json:"type"`
			Bootable bool   `json:"bootable"`
		} `json:"partitions"`
	} `json:"partitiontable"`
}

// checkImage runs every check on img and returns what it found.
func checkImage(t *testing.T, img string, w want) layout {
	t.Helper()
	raw, err := os.ReadFile(img)
	if err != nil {
		t.Fatal(err)
	}
	var l layout

	// The partition table as sfdisk reads it: MBR, the first partition
	// at 1 MiB or later, nothing overlapping U-Boot or each other.
	var tab sfdiskTable
	if err := json.Unmarshal(tool(t, "sfdisk", "-J", img), &tab); err != nil {
		t.Fatalf("sfdisk -J: %v", err)
	}
	pt := tab.PartitionTable
	if pt.Label != "dos" {
		t.Errorf("partition table %q, want dos (an MBR: the SPL at 8 KiB would overwrite a GPT)", pt.Label)
	}
	if !bytes.Equal(raw[510:512], []byte{0x55, 0xaa}) {
		t.Errorf("no MBR signature at 510: % x", raw[510:512])
	}
	if len(pt.Partitions) == 0 {
		t.Fatal("no partitions")
	}
	ss := pt.SectorSize
	fitEnd := int64(fitAt + len(w.fit))
	type span struct {
		what       string
		start, end int64
	}
	spans := []span{{"MBR", 0, 512}, {"SPL", splAt, splAt + int64(len(w.spl))}, {"FIT", fitAt, fitEnd}}
	for _, p := range pt.Partitions {
		spans = append(spans, span{p.Node, p.Start * ss, (p.Start + p.Size) * ss})
		if p.Start*ss < mib {
			t.Errorf("%s starts at byte %d, before 1 MiB", p.Node, p.Start*ss)
		}
		if (p.Start+p.Size)*ss > int64(len(raw)) {
			t.Errorf("%s ends at %d, past the image's %d bytes", p.Node, (p.Start+p.Size)*ss, len(raw))
		}
	}
	for i, a := range spans {
		for _, b := range spans[i+1:] {
			if a.start < b.end && b.start < a.end {
				t.Errorf("%s [%d, %d) overlaps %s [%d, %d)", a.what, a.start, a.end, b.what, b.start, b.end)
			}
		}
	}
	boot := pt.Partitions[0]
	if boot.Type != "c" || !boot.Bootable {
		t.Errorf("first partition type %s bootable %v, want c (FAT32 LBA) and bootable", boot.Type, boot.Bootable)
	}
	l.bootOffset = boot.Start * ss

	// The SPL: the eGON header at 8192, its checksum summed here, and the
	// bytes equal to Debian's.
	spl := raw[splAt:]
	if string(spl[4:12]) != "eGON.BT0" {
		t.Fatalf("no eGON.BT0 at byte %d: %q", splAt+4, spl[4:12])
	}
	le := binary.LittleEndian
	length := le.Uint32(spl[16:])
	if length%4 != 0 || length == 0 || splAt+int(length) > fitAt {
		t.Fatalf("eGON length %d: not whole words, or past the FIT image at %d", length, fitAt)
	}
	var sum uint32
	for i := uint32(0); i < length; i += 4 {
		if i == 12 {
			sum += 0x5f0a6c39 // the checksum field counts as this stamp
		} else {
			sum += le.Uint32(spl[i:])
		}
	}
	if stored := le.Uint32(spl[12:]); sum != stored {
		t.Errorf("eGON checksum: computed %#08x, header %#08x", sum, stored)
	}
	if !bytes.Equal(raw[splAt:splAt+len(w.spl)], w.spl) {
		t.Error("the SPL at 8 KiB differs from Debian's sunxi-spl.bin")
	}
	if !bytes.Equal(raw[fitAt:fitEnd], w.fit) {
		t.Error("the FIT image at 40 KiB differs from Debian's u-boot-sunxi-with-spl.fit.itb")
	}

	// The boot partition's files.
	at := fmt.Sprintf("%s@@%d", img, l.bootOffset)
	for _, line := range strings.Split(strings.TrimSpace(string(tool(t, "mdir", "-b", "-i", at, "::/"))), "\n") {
		l.files = append(l.files, strings.TrimPrefix(strings.TrimSpace(line), "::/"))
	}
	dir := t.TempDir()
	get := func(name string) []byte {
		t.Helper()
		out := filepath.Join(dir, name)
		tool(t, "mcopy", "-n", "-i", at, "::/"+name, out)
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for name, content := range w.boot {
		if !slices.Contains(l.files, name) {
			t.Errorf("boot partition lacks %s (has %q)", name, l.files)
		} else if !bytes.Equal(get(name), content) {
			t.Errorf("boot partition's %s differs from the build's", name)
		}
	}

	// boot.scr: dumpimage decodes it, and it is a script whose text loads
	// files of the partition to regions that do not overlap.
	if !slices.Contains(l.files, "boot.scr") {
		t.Fatalf("no boot.scr in the boot partition (has %q)", l.files)
	}
	scr := get("boot.scr")
	listing := string(tool(t, "dumpimage", "-l", filepath.Join(dir, "boot.scr")))
	if !strings.Contains(listing, "AArch64 Linux Script") {
		t.Errorf("dumpimage -l boot.scr:\n%s\nwant an AArch64 Linux Script", listing)
	}
	l.script = scriptText(t, scr)
	sizes := map[string]uint64{}
	for _, name := range l.files {
		if name == "vmlinuz" || name == w.dtbName || strings.HasSuffix(name, ".cpio") {
			sizes[name] = uint64(len(get(name)))
		}
	}
	kernel := get("vmlinuz")
	checkScript(t, l.script, l.files, sizes, kernel, w)

	// The device tree: its compatible selects the board, and no line the
	// board drives is the kernel's.
	l.dtb, err = fdt.Parse(get(w.dtbName))
	if err != nil {
		t.Fatalf("%s: %v", w.dtbName, err)
	}
	// dtc's fdtget reads the same compatible strings as this parser.
	fdtget := strings.Fields(string(tool(t, "fdtget", "-t", "s", filepath.Join(dir, w.dtbName), "/", "compatible")))
	if compat := l.dtb.Root.Strings("compatible"); !slices.Equal(compat, fdtget) {
		t.Errorf("compatible: fdt.Parse read %q, fdtget %q", compat, fdtget)
	}
	for _, p := range deviceTreeProblems(l.dtb, w.board) {
		t.Error(p)
	}

	// The state partition, if the board keeps state on the card: an ext4
	// superblock with the board's label.
	if w.board.Storage != nil && w.board.Storage.Label != "" {
		if len(pt.Partitions) < 2 {
			t.Fatalf("board %s keeps state on a partition labelled %s, the image has none", w.board.Name, w.board.Storage.Label)
		}
		sb := raw[pt.Partitions[1].Start*ss+1024:]
		if m := le.Uint16(sb[0x38:]); m != 0xef53 {
			t.Errorf("second partition: ext superblock magic %#04x, want 0xef53", m)
		}
		if label := string(bytes.TrimRight(sb[0x78:0x88], "\x00")); label != w.board.Storage.Label {
			t.Errorf("second partition's label %q, want the board's %q", label, w.board.Storage.Label)
		}
	}
	return l
}

// scriptText takes the text out of a legacy uImage of type script: a
// 64-byte big-endian header (magic 0x27051956, data size at 12, type at
// 30 = 6), then the sizes of its parts ending with a zero word, then
// the parts.
func scriptText(t *testing.T, b []byte) string {
	t.Helper()
	be := binary.BigEndian
	if len(b) < 72 || be.Uint32(b) != 0x27051956 {
		t.Fatalf("boot.scr is no uImage (magic % x)", b[:min(4, len(b))])
	}
	if typ := b[30]; typ != 6 {
		t.Fatalf("boot.scr's uImage type %d, want 6 (script)", typ)
	}
	if n := be.Uint32(b[12:]); int(n)+64 != len(b) {
		t.Errorf("boot.scr's header says %d data bytes, file has %d after the header", n, len(b)-64)
	}
	first := be.Uint32(b[64:])
	if be.Uint32(b[68:]) != 0 || int(first)+72 > len(b) {
		t.Fatalf("boot.scr is not a one-part script")
	}
	return string(b[72 : 72+first])
}

var (
	loadRE  = regexp.MustCompile(`^load \$\{devtype\} \$\{devnum\}:\$\{distro_bootpart\} (0x[0-9a-f]+) (\S+)$`)
	bootiRE = regexp.MustCompile(`^booti (0x[0-9a-f]+) (0x[0-9a-f]+):\$\{filesize\} (0x[0-9a-f]+)$`)
	argsRE  = regexp.MustCompile(`^setenv bootargs "([^"]*)"$`)
)

type region struct {
	file       string
	start, end uint64
}

// checkScript reads the script's commands: every loaded file is in the
// partition, the last load is the initramfs (booti takes its size from
// filesize), booti starts the loaded kernel with the loaded initramfs and
// device tree, and the regions, at their real sizes (the kernel's
// image_size from its header), overlap neither each other nor the script.
func checkScript(t *testing.T, script string, files []string, sizes map[string]uint64, kernel []byte, w want) {
	t.Helper()
	loads := map[string]uint64{}
	var order []string
	var booti []uint64
	var bootargs string
	for _, line := range strings.Split(script, "\n") {
		line = strings.TrimSpace(line)
		if m := loadRE.FindStringSubmatch(line); m != nil {
			addr, _ := strconv.ParseUint(m[1], 0, 64)
			loads[m[2]] = addr
			order = append(order, m[2])
			if !slices.Contains(files, m[2]) {
				t.Errorf("boot.scr loads %s, which the partition lacks (it has %q)", m[2], files)
			}
		} else if m := bootiRE.FindStringSubmatch(line); m != nil {
			for _, s := range m[1:] {
				v, _ := strconv.ParseUint(s, 0, 64)
				booti = append(booti, v)
			}
		} else if m := argsRE.FindStringSubmatch(line); m != nil {
			bootargs = m[1]
		} else if strings.HasPrefix(line, "load") || strings.HasPrefix(line, "boot") {
			t.Errorf("boot.scr has a command these checks do not read: %q", line)
		}
	}
	if len(order) != 3 || len(booti) != 3 {
		t.Fatalf("boot.scr: %d loads and booti %v, want 3 loads and booti kernel initrd:size fdt:\n%s", len(order), booti, script)
	}
	initrd := order[2]
	if !strings.HasSuffix(initrd, ".cpio") {
		t.Errorf("the last load is %s, want the initramfs: booti's :${filesize} is the last file's size", initrd)
	}
	if booti[0] != loads["vmlinuz"] || booti[1] != loads[initrd] || booti[2] != loads[w.dtbName] {
		t.Errorf("booti %#x, want the loads of vmlinuz %#x, %s %#x and %s %#x",
			booti, loads["vmlinuz"], initrd, loads[initrd], w.dtbName, loads[w.dtbName])
	}
	for _, arg := range []string{"console=" + "ttyS0,115200", "ringo.board=" + w.board.Name} {
		if !slices.Contains(strings.Fields(bootargs), arg) {
			t.Errorf("bootargs %q lack %s", bootargs, arg)
		}
	}

	// The kernel's footprint: text_offset + image_size from the arm64
	// Image header, not the file's size (the BSS follows the file).
	le := binary.LittleEndian
	if len(kernel) < 64 || string(kernel[56:60]) != "ARM\x64" {
		t.Fatal("vmlinuz is no arm64 Image")
	}
	foot := le.Uint64(kernel[8:]) + max(le.Uint64(kernel[16:]), uint64(len(kernel)))
	if loads["vmlinuz"]%(2*mib) != 0 {
		t.Errorf("kernel at %#x, not 2 MiB aligned: booti would move it", loads["vmlinuz"])
	}
	regions := []region{
		{"vmlinuz", loads["vmlinuz"], loads["vmlinuz"] + foot},
		{w.dtbName, loads[w.dtbName], loads[w.dtbName] + sizes[w.dtbName]},
		{initrd, loads[initrd], loads[initrd] + sizes[initrd]},
		{"boot.scr (scriptaddr)", scriptAddr, scriptAddr + 64<<10},
	}
	for i, a := range regions {
		if a.start < dramBase {
			t.Errorf("%s at %#x, below DRAM at %#x", a.file, a.start, dramBase)
		}
		for _, b := range regions[i+1:] {
			if a.start < b.end && b.start < a.end {
				t.Errorf("%s [%#x, %#x) overlaps %s [%#x, %#x)", a.file, a.start, a.end, b.file, b.start, b.end)
			}
		}
	}
}

// deviceTreeProblems: the root's compatible must select the board
// through board.Lookup, every GPIO chip the board names must be a GPIO
// controller of the tree, and no line the board claims may be claimed by
// a node of the tree.
func deviceTreeProblems(tree *fdt.Tree, b board.Board) []string {
	var out []string
	compat := tree.Root.Strings("compatible")
	got, err := board.Lookup(compat)
	if err != nil || got.Name != b.Name {
		out = append(out, fmt.Sprintf("board.Lookup(%q) = %s, %v; want %s", compat, got.Name, err, b.Name))
	}
	chips := map[string]bool{}
	tree.Walk(func(n *fdt.Node) {
		if _, ok := n.Prop("gpio-controller"); ok && n.Enabled() {
			chips[n.DeviceName()] = true
		}
	})
	claims, err := tree.Claims()
	if err != nil {
		return append(out, fmt.Sprintf("the device tree's GPIO claims: %v", err))
	}
	lines := boardLines(b)
	if len(lines) == 0 && b.Radio != nil {
		out = append(out, "found no lines in a board with a radio")
	}
	for _, l := range lines {
		if l.Name != "" {
			continue // a named line is found by its name; this tree names none
		}
		if !chips[l.Chip] {
			out = append(out, fmt.Sprintf("board line %s: no GPIO controller %s in the device tree", l, l.Chip))
		}
		for _, c := range claims {
			if c.Chip == l.Chip && c.Offset == l.Offset {
				out = append(out, fmt.Sprintf("board line %s is the kernel's: %v", l, c))
			}
		}
	}
	return out
}

// boardLines finds every board.Line in a description, however deep, so
// that a part added later is checked too.
func boardLines(b board.Board) []board.Line {
	var out []board.Line
	lineType := reflect.TypeOf(board.Line{})
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer, reflect.Interface:
			if !v.IsNil() {
				walk(v.Elem())
			}
		case reflect.Struct:
			if v.Type() == lineType {
				if l := v.Interface().(board.Line); !l.IsZero() {
					out = append(out, l)
				}
				return
			}
			for i := range v.NumField() {
				if v.Type().Field(i).IsExported() {
					walk(v.Field(i))
				}
			}
		case reflect.Slice, reflect.Array:
			for i := range v.Len() {
				walk(v.Index(i))
			}
		}
	}
	walk(reflect.ValueOf(b))
	return out
}
