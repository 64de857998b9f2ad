package sdcard

import (
	"encoding/binary"
	"fmt"
)

// The Allwinner boot ROM's eGON header, at the start of the SPL:
//
//	 0 jump instruction  (over the header)
//	 4 magic             "eGON.BT0"
//	12 checksum          le32
//	16 length            le32: bytes the boot ROM loads and checks
//
// The checksum is the 32-bit sum of the length's little-endian words,
// computed with the checksum field set to EGONStamp.
const (
	egonMagic = "eGON.BT0"
	// EGONStamp stands for the checksum field while the sum is taken.
	EGONStamp = 0x5f0a6c39
)

// CheckEGON checks an SPL's eGON header and checksum and returns the
// length the boot ROM loads.
func CheckEGON(spl []byte) (int, error) {
	if len(spl) < 32 || string(spl[4:12]) != egonMagic {
		return 0, fmt.Errorf("%w: SPL: no %q header at byte 4", ErrInput, egonMagic)
	}
	le := binary.LittleEndian
	stored, n := le.Uint32(spl[12:]), le.Uint32(spl[16:])
	if n%4 != 0 || int64(n) > int64(len(spl)) || n < 32 {
		return 0, fmt.Errorf("%w: SPL: length %d in its header, file has %d bytes", ErrInput, n, len(spl))
	}
	var sum uint32
	for i := uint32(0); i < n; i += 4 {
		w := le.Uint32(spl[i:])
		if i == 12 {
			w = EGONStamp
		}
		sum += w
	}
	if sum != stored {
		return 0, fmt.Errorf("%w: SPL: checksum %#08x, header says %#08x", ErrInput, sum, stored)
	}
	return int(n), nil
}
