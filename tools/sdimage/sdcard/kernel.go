package sdcard

import (
	"encoding/binary"
	"fmt"
)

// KernelImage is what the arm64 boot protocol's 64-byte header says of a
// kernel Image (Documentation/arch/arm64/booting.rst):
//
//	 0 code0, code1     (an EFI stub's "MZ" sits here)
//	 8 text_offset      le64
//	16 image_size       le64: the memory the kernel occupies, BSS included
//	24 flags            le64: bit 0 big-endian, bits 1-2 page size,
//	                    bit 3 may be placed anywhere in memory
//	32 res2, res3, res4
//	56 magic            "ARM\x64"
//	60 res5             PE header offset
type KernelImage struct {
	TextOffset uint64
	ImageSize  uint64
	Flags      uint64
}

// kernelMagic is the header's magic at offset 56.
const kernelMagic = "ARM\x64"

// ParseKernelImage reads the header of an arm64 kernel Image.
func ParseKernelImage(b []byte) (KernelImage, error) {
	if len(b) < 64 {
		return KernelImage{}, fmt.Errorf("%w: kernel: %d bytes, shorter than the arm64 Image header", ErrInput, len(b))
	}
	if string(b[56:60]) != kernelMagic {
		return KernelImage{}, fmt.Errorf("%w: kernel: no arm64 Image magic at byte 56 (a compressed vmlinuz? U-Boot's booti needs the Image)", ErrInput)
	}
	le := binary.LittleEndian
	k := KernelImage{TextOffset: le.Uint64(b[8:]), ImageSize: le.Uint64(b[16:]), Flags: le.Uint64(b[24:])}
	if k.ImageSize == 0 {
		return KernelImage{}, fmt.Errorf("%w: kernel: image_size 0 (a kernel older than 3.17 does not say how much memory it needs)", ErrInput)
	}
	if k.Flags&1 != 0 {
		return KernelImage{}, fmt.Errorf("%w: kernel: a big-endian Image", ErrInput)
	}
	return k, nil
}

// Footprint is the memory the kernel occupies from its load address: the
// text offset and image_size, or the file's length if that is larger.
func (k KernelImage) Footprint(fileSize uint64) uint64 {
	return k.TextOffset + max(k.ImageSize, fileSize)
}
