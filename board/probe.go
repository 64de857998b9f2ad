package board

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// What uinit and hwcheck look for on a running system, by the kernel's own
// descriptions: a sound card in /proc/asound/cards, a filesystem by its
// label.

// CardIndex finds a card by its id or name in /proc/asound/cards, whose
// lines read " 0 [Audio          ]: USB-Audio - QEMU USB Audio".
func CardIndex(cards []byte, card string) (int, bool) {
	s := bufio.NewScanner(bytes.NewReader(cards))
	for s.Scan() {
		line := s.Text()
		open, close := strings.IndexByte(line, '['), strings.IndexByte(line, ']')
		if open < 0 || close < open {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(line[:open]))
		if err != nil {
			continue
		}
		id := strings.TrimSpace(line[open+1 : close])
		_, name, _ := strings.Cut(line[close:], " - ")
		if id == card || strings.TrimSpace(name) == card {
			return n, true
		}
	}
	return 0, false
}

// ext2/3/4 superblock: at byte 1024 of the device; the magic at 0x38, the
// volume label (16 bytes, NUL padded) at 0x78.
const (
	sbOffset   = 1024
	sbMagicOff = 0x38
	sbLabelOff = 0x78
	extMagic   = 0xEF53
)

// ExtLabel reads the label of the ext filesystem on r; ok is false when r
// holds no ext filesystem.
func ExtLabel(r io.ReaderAt) (label string, ok bool) {
	sb := make([]byte, sbLabelOff+16)
	if _, err := r.ReadAt(sb, sbOffset); err != nil {
		return "", false
	}
	if binary.LittleEndian.Uint16(sb[sbMagicOff:]) != extMagic {
		return "", false
	}
	l := sb[sbLabelOff : sbLabelOff+16]
	if i := bytes.IndexByte(l, 0); i >= 0 {
		l = l[:i]
	}
	return string(l), true
}

// FindLabel returns the block device under devDir whose ext filesystem is
// labelled label, looking at every entry of sysBlock (/sys/class/block).
func FindLabel(sysBlock, devDir, label string) (string, error) {
	entries, err := os.ReadDir(sysBlock)
	if err != nil {
		return "", err
	}
	for _, e := range entries {
		dev := filepath.Join(devDir, e.Name())
		f, err := os.Open(dev)
		if err != nil {
			continue
		}
		l, ok := ExtLabel(f)
		f.Close()
		if ok && l == label {
			return dev, nil
		}
	}
	return "", fmt.Errorf("no ext filesystem labelled %q among %d block devices", label, len(entries))
}
