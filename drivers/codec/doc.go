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
// A board whose codec the kernel owns (the PinePhone's sun8i-codec) sets
// the same routes through ALSA mixer controls instead; see
// docs/boards/pinephone-1.2.md. That backend is not written yet.
package codec
