// Package codec drives a handset's audio codec: the analog side of a
// call (which transducer plays, whether the microphone is live, how
// loud). The PCM itself flows through drivers/audio; this package only
// sets the codec's routing, power and gains.
//
// Codec is the interface phoned uses; NewTLV320AIC3104 is the TI
// TLV320AIC3104 over a periph I2C bus (the CI board's codec, whose
// registers live on i2c-stub there). Package codectest holds a recording
// fake for other packages' tests.
//
// The TLV320AIC3104's registers after each route (page 0, decimal
// register numbers; the outputs a route does not use are off: 47=0x00
// 51=0x04, 82=0x00 86=0x00, 61=0x00 65=0x04):
//
//	earpiece  47=0x80 51=0x0d (DAC_L1 → HPLOUT)       19=0x04 20=0x78 (LINE1L mic)
//	speaker   82=0x80 86=0x09 (DAC_L1 → LEFT_LOP/M)   19=0x04 20=0x78 (LINE1L mic)
//	headset   61=0x80 65=0x0d (DAC_L1 → HPROUT)       19=0x7c 20=0x00 (LINE2L mic)
//	off       every output off                        19=0x78 20=0x78
//
// and, while powered: 7=0x08, 37=0x80, 25=0x40, 15=16=0x28 with the
// microphone on (0xa8 muted), 43=44=100-volume (0xff at volume 0).
//
// A board whose codec the kernel owns (the PinePhone's sun8i-codec) sets
// the same routes through ALSA mixer controls instead; see
// docs/boards/pinephone-1.2.md. That backend is not written yet.
package codec
