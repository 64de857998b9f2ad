package codec

import "strconv"

// The TLV320AIC3104's page 0 registers this driver writes, from the data
// sheet (SLAS510) and read against the Linux kernel's tlv320aic3x
// driver. Bit 7 (D7) is the most significant. All of them are on page 0;
// register 0 selects the page.
const (
	// D0: the page later addresses reach (0: control registers, 1: the
	// digital filter coefficients). D7-D1 reserved, write 0.
	regPageSelect = 0
	// D7: write 1 to reset every register to its default (the bit clears
	// itself). D6-D0 reserved, write 0.
	regReset = 1
	// D7: fsref (0: 48 kHz, 1: 44.1 kHz). D6: ADC dual rate. D5: DAC dual
	// rate. D4-D3: left DAC datapath (00 off, 01 left-channel data, 10
	// right-channel data, 11 mono mix of both). D2-D1: right DAC datapath
	// (00 off, 01 right data, 10 left data, 11 mono mix). D0 reserved.
	regDatapath = 7
	// D7: left ADC PGA mute (1 muted, the default). D6-D0: PGA gain, 0 to
	// 59.5 dB in 0.5 dB steps (0x00-0x77).
	regLeftADCGain = 15
	// The same fields for the right ADC PGA.
	regRightADCGain = 16
	// D7: LINE1L is single-ended (0) or differential (1). D6-D3: LINE1L's
	// level into the left ADC PGA (0000 0 dB, then -1.5 dB steps to 1000
	// -12 dB; 1111 not connected, the default). D2: left ADC channel power
	// (1 up). D1-D0: PGA soft-stepping (00 once per sample period).
	regLine1LToLeftADC = 19
	// D7: LINE2L single-ended (0) or differential (1). D6-D3: LINE2L's
	// level into the left ADC PGA, as register 19's (1111 not
	// connected). D2-D0: 0.
	regLine2LToLeftADC = 20
	// D7-D6: MICBIAS output (00 powered down, 01 2.0 V, 10 2.5 V, 11
	// AVDD). D5-D0 reserved, write 0.
	regMicBias = 25
	// D7: left DAC power (1 up). D6: right DAC power. D5-D4: HPLCOM
	// output (00 the differential of HPLOUT, 01 constant VCM, 10
	// independent single-ended). D3-D0 reserved.
	regDACPower = 37
	// D7: left DAC digital mute (1 muted, the default). D6-D0: digital
	// attenuation, 0 to -63.5 dB in 0.5 dB steps.
	regLeftDACVolume = 43
	// The same fields for the right DAC.
	regRightDACVolume = 44
	// D7: DAC_L1 is routed to HPLOUT (1). D6-D0: the route's analog
	// volume (0 is 0 dB, then about 0.5 dB of attenuation a step;
	// 118-127 mute).
	regDACLToHPLOUT = 47
	// D7-D4: HPLOUT output level (0000 0 dB to 1001 9 dB). D3: HPLOUT
	// not muted (1). D2: power-down drive (0 weakly driven to the common
	// mode, 1 high impedance; 1 is the default). D1: volume soft-stepping
	// done (read only). D0: HPLOUT fully powered up (1).
	regHPLOUTLevel = 51
	// D7: DAC_L1 is routed to HPROUT (1). D6-D0: the route's analog
	// volume, as register 47's.
	regDACLToHPROUT = 61
	// HPROUT's output level, with register 51's fields.
	regHPROUTLevel = 65
	// D7: DAC_L1 is routed to LEFT_LOP/M, the left line output (1).
	// D6-D0: the route's analog volume, as register 47's.
	regDACLToLeftLOP = 82
	// D7-D4: LEFT_LOP/M output level (0000 0 dB to 1001 9 dB). D3: not
	// muted (1). D2 reserved. D1: volume soft-stepping done (read only).
	// D0: fully powered up (1).
	regLeftLOPLevel = 86
)

// Field values this driver writes.
const (
	softReset = 0x80 // register 1 D7

	// register 7: fsref 48 kHz, left DAC plays the left-channel data
	// (calls are mono), right DAC off.
	datapathLeftMono = 0x08

	leftDACPowered = 0x80 // register 37 D7; HPLCOM stays the differential of HPLOUT

	micBias2V0 = 0x40 // register 25 D7-D6 = 01

	pgaMute = 0x80 // registers 15/16 D7
	// micGain is the ADC PGA gain under the mute bit: 20 dB (40 steps
	// of 0.5 dB), enough for an electret handset microphone.
	micGain = 0x28

	dacMute = 0x80 // registers 43/44 D7

	routedAt0dB = 0x80 // registers 47/61/82: D7 routed, D6-D0 0 dB

	// Line input to left ADC (registers 19, 20): D6-D3 1111 is "not
	// connected", 0000 is 0 dB; register 19 D2 powers the left ADC.
	lineNotConnected = 0x78
	lineAt0dB        = 0x00
	leftADCPowered   = 0x04

	// High-power outputs (registers 51, 65): powered up, not muted,
	// 0 dB, high impedance when down (D2, the reset value kept); off is
	// the reset value.
	hpOn  = 0x0d
	hpOff = 0x04
	// Line output (register 86): powered up and not muted at 0 dB; off
	// is the reset value.
	lopOn  = 0x09
	lopOff = 0x00
)

// regNames name the registers in error messages.
var regNames = map[byte]string{
	regPageSelect:      "page select",
	regReset:           "software reset",
	regDatapath:        "codec datapath",
	regLeftADCGain:     "left ADC PGA gain",
	regRightADCGain:    "right ADC PGA gain",
	regLine1LToLeftADC: "LINE1L to left ADC",
	regLine2LToLeftADC: "LINE2L to left ADC",
	regMicBias:         "MICBIAS",
	regDACPower:        "DAC power",
	regLeftDACVolume:   "left DAC volume",
	regRightDACVolume:  "right DAC volume",
	regDACLToHPLOUT:    "DAC_L1 to HPLOUT",
	regHPLOUTLevel:     "HPLOUT level",
	regDACLToHPROUT:    "DAC_L1 to HPROUT",
	regHPROUTLevel:     "HPROUT level",
	regDACLToLeftLOP:   "DAC_L1 to LEFT_LOP/M",
	regLeftLOPLevel:    "LEFT_LOP/M level",
}

func regName(r byte) string {
	if n, ok := regNames[r]; ok {
		return strconv.Itoa(int(r)) + " (" + n + ")"
	}
	return strconv.Itoa(int(r))
}

// output is one output stage: the register routing DAC_L1 to it and its
// level register, with the level values for on and off.
type output struct {
	route, level byte
	on, off      byte
}

// The board wiring this driver assumes: the earpiece on HPLOUT, the
// loudspeaker amplifier on the left line output, a mono (cellular)
// headset's earphone on HPROUT; the main microphone on LINE1L, the
// headset's on LINE2L, both into the left ADC.
var (
	earpieceOut = output{regDACLToHPLOUT, regHPLOUTLevel, hpOn, hpOff}
	speakerOut  = output{regDACLToLeftLOP, regLeftLOPLevel, lopOn, lopOff}
	headsetOut  = output{regDACLToHPROUT, regHPROUTLevel, hpOn, hpOff}
	allOutputs  = []output{earpieceOut, speakerOut, headsetOut}
)
