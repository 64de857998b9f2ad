package iax

import (
	"fmt"
	"math/bits"
)

// FrameType is the frame type octet of a full frame (RFC 5456 §8.2).
type FrameType uint8

// Frame types.
const (
	FrameDTMFEnd   FrameType = 0x01
	FrameVoice     FrameType = 0x02
	FrameVideo     FrameType = 0x03
	FrameControl   FrameType = 0x04
	FrameNull      FrameType = 0x05
	FrameIAX       FrameType = 0x06
	FrameText      FrameType = 0x07
	FrameImage     FrameType = 0x08
	FrameHTML      FrameType = 0x09
	FrameComfort   FrameType = 0x0a
	FrameModem     FrameType = 0x0b
	FrameDTMFBegin FrameType = 0x0c
)

var frameTypeNames = map[FrameType]string{
	FrameDTMFEnd: "DTMF_END", FrameVoice: "VOICE", FrameVideo: "VIDEO",
	FrameControl: "CONTROL", FrameNull: "NULL", FrameIAX: "IAX",
	FrameText: "TEXT", FrameImage: "IMAGE", FrameHTML: "HTML",
	FrameComfort: "CNG", FrameModem: "MODEM", FrameDTMFBegin: "DTMF_BEGIN",
}

func (t FrameType) String() string {
	if s, ok := frameTypeNames[t]; ok {
		return s
	}
	return fmt.Sprintf("FrameType(%#02x)", uint8(t))
}

// Command is the subclass of an IAX frame (RFC 5456 §8.4).
type Command uint8

// IAX commands. CallToken (0x28) is Asterisk's addition.
const (
	CmdNew       Command = 0x01
	CmdPing      Command = 0x02
	CmdPong      Command = 0x03
	CmdAck       Command = 0x04
	CmdHangup    Command = 0x05
	CmdReject    Command = 0x06
	CmdAccept    Command = 0x07
	CmdAuthReq   Command = 0x08
	CmdAuthRep   Command = 0x09
	CmdInval     Command = 0x0a
	CmdLagRq     Command = 0x0b
	CmdLagRp     Command = 0x0c
	CmdRegReq    Command = 0x0d
	CmdRegAuth   Command = 0x0e
	CmdRegAck    Command = 0x0f
	CmdRegRej    Command = 0x10
	CmdRegRel    Command = 0x11
	CmdVNAK      Command = 0x12
	CmdDPReq     Command = 0x13
	CmdDPRep     Command = 0x14
	CmdDial      Command = 0x15
	CmdTxReq     Command = 0x16
	CmdTxCnt     Command = 0x17
	CmdTxAcc     Command = 0x18
	CmdTxReady   Command = 0x19
	CmdTxRel     Command = 0x1a
	CmdTxRej     Command = 0x1b
	CmdQuelch    Command = 0x1c
	CmdUnquelch  Command = 0x1d
	CmdPoke      Command = 0x1e
	CmdPage      Command = 0x1f
	CmdMWI       Command = 0x20
	CmdUnsupport Command = 0x21
	CmdTransfer  Command = 0x22
	CmdProvision Command = 0x23
	CmdFwDownl   Command = 0x24
	CmdFwData    Command = 0x25
	CmdTxMedia   Command = 0x26
	CmdRTKey     Command = 0x27
	CmdCallToken Command = 0x28
)

var commandNames = [...]string{
	CmdNew: "NEW", CmdPing: "PING", CmdPong: "PONG", CmdAck: "ACK",
	CmdHangup: "HANGUP", CmdReject: "REJECT", CmdAccept: "ACCEPT",
	CmdAuthReq: "AUTHREQ", CmdAuthRep: "AUTHREP", CmdInval: "INVAL",
	CmdLagRq: "LAGRQ", CmdLagRp: "LAGRP", CmdRegReq: "REGREQ",
	CmdRegAuth: "REGAUTH", CmdRegAck: "REGACK", CmdRegRej: "REGREJ",
	CmdRegRel: "REGREL", CmdVNAK: "VNAK", CmdDPReq: "DPREQ",
	CmdDPRep: "DPREP", CmdDial: "DIAL", CmdTxReq: "TXREQ",
	CmdTxCnt: "TXCNT", CmdTxAcc: "TXACC", CmdTxReady: "TXREADY",
	CmdTxRel: "TXREL", CmdTxRej: "TXREJ", CmdQuelch: "QUELCH",
	CmdUnquelch: "UNQUELCH", CmdPoke: "POKE", CmdPage: "PAGE",
	CmdMWI: "MWI", CmdUnsupport: "UNSUPPORT", CmdTransfer: "TRANSFER",
	CmdProvision: "PROVISION", CmdFwDownl: "FWDOWNL", CmdFwData: "FWDATA",
	CmdTxMedia: "TXMEDIA", CmdRTKey: "RTKEY", CmdCallToken: "CALLTOKEN",
}

func (c Command) String() string {
	if int(c) < len(commandNames) && commandNames[c] != "" {
		return commandNames[c]
	}
	return fmt.Sprintf("Command(%#02x)", uint8(c))
}

// Control is the subclass of a control frame (RFC 5456 §8.3).
type Control uint8

// Control subclasses. StopSounds is sent by Asterisk as 0xff.
const (
	CtlHangup      Control = 0x01
	CtlRing        Control = 0x02
	CtlRinging     Control = 0x03
	CtlAnswer      Control = 0x04
	CtlBusy        Control = 0x05
	CtlTakeOffHook Control = 0x06
	CtlOffHook     Control = 0x07
	CtlCongestion  Control = 0x08
	CtlFlash       Control = 0x09
	CtlWink        Control = 0x0a
	CtlOption      Control = 0x0b
	CtlKey         Control = 0x0c
	CtlUnkey       Control = 0x0d
	CtlProgress    Control = 0x0e
	CtlProceeding  Control = 0x0f
	CtlHold        Control = 0x10
	CtlUnhold      Control = 0x11
	CtlVidUpdate   Control = 0x12
	CtlSrcUpdate   Control = 0x14
	CtlSrcChange   Control = 0x1a
	CtlStopSounds  Control = 0xff
)

var controlNames = map[Control]string{
	CtlHangup: "HANGUP", CtlRing: "RING", CtlRinging: "RINGING",
	CtlAnswer: "ANSWER", CtlBusy: "BUSY", CtlTakeOffHook: "TAKEOFFHOOK",
	CtlOffHook: "OFFHOOK", CtlCongestion: "CONGESTION", CtlFlash: "FLASH",
	CtlWink: "WINK", CtlOption: "OPTION", CtlKey: "KEY", CtlUnkey: "UNKEY",
	CtlProgress: "PROGRESS", CtlProceeding: "PROCEEDING", CtlHold: "HOLD",
	CtlUnhold: "UNHOLD", CtlVidUpdate: "VIDUPDATE", CtlSrcUpdate: "SRCUPDATE",
	CtlSrcChange: "SRCCHANGE", CtlStopSounds: "STOP_SOUNDS",
}

func (c Control) String() string {
	if s, ok := controlNames[c]; ok {
		return s
	}
	return fmt.Sprintf("Control(%#02x)", uint8(c))
}

// Format is a media format bit mask (RFC 5456 §8.7, extended to 64 bits
// by Asterisk's CAPABILITY2/FORMAT2).
type Format uint64

// Media formats.
const (
	FormatG723    Format = 1 << 0
	FormatGSM     Format = 1 << 1
	FormatULaw    Format = 1 << 2
	FormatALaw    Format = 1 << 3
	FormatG726AAL Format = 1 << 4
	FormatADPCM   Format = 1 << 5
	FormatSLin    Format = 1 << 6
	FormatLPC10   Format = 1 << 7
	FormatG729    Format = 1 << 8
	FormatSpeex   Format = 1 << 9
	FormatILBC    Format = 1 << 10
	FormatG726    Format = 1 << 11
	FormatG722    Format = 1 << 12
	FormatSiren7  Format = 1 << 13
	FormatSiren14 Format = 1 << 14
	FormatSLin16  Format = 1 << 15
	FormatJPEG    Format = 1 << 16
	FormatPNG     Format = 1 << 17
	FormatH261    Format = 1 << 18
	FormatH263    Format = 1 << 19
	FormatH263P   Format = 1 << 20
	FormatH264    Format = 1 << 21
	FormatMPEG4   Format = 1 << 22
	FormatVP8     Format = 1 << 23
	FormatT140Red Format = 1 << 26
	FormatT140    Format = 1 << 27
	FormatG719    Format = 1 << 32
	FormatSpeex16 Format = 1 << 33
	FormatOpus    Format = 1 << 34
)

func (f Format) String() string {
	switch f {
	case FormatULaw:
		return "ulaw"
	case FormatALaw:
		return "alaw"
	case FormatGSM:
		return "gsm"
	case FormatSLin:
		return "slin"
	case FormatG722:
		return "g722"
	case FormatOpus:
		return "opus"
	}
	return fmt.Sprintf("Format(%#x)", uint64(f))
}

// subclass flag: the low 6 bits are a shift count, not a value.
const subclassLog = 0x80

// FormatSubclass encodes a single format as a full frame subclass octet:
// values below 0x80 as they are, larger powers of two as 0x80|log2.
func FormatSubclass(f Format) (uint8, error) {
	if f < subclassLog {
		return uint8(f), nil
	}
	if bits.OnesCount64(uint64(f)) != 1 {
		return 0, fmt.Errorf("%w: format %#x is not a single bit", ErrBadSubclass, uint64(f))
	}
	return subclassLog | uint8(bits.TrailingZeros64(uint64(f))), nil
}

// SubclassFormat decodes a voice or video subclass octet.
func SubclassFormat(sc uint8) Format {
	if sc&subclassLog == 0 {
		return Format(sc)
	}
	return 1 << (sc & 0x3f)
}

// Formats in preference order, as used in the CODEC_PREFS IE: one
// character per format, 'A'+1+bit.
func codecPrefs(fs []Format) string {
	b := make([]byte, 0, len(fs))
	for _, f := range fs {
		if bits.OnesCount64(uint64(f)) == 1 {
			b = append(b, byte('A'+1+bits.TrailingZeros64(uint64(f))))
		}
	}
	return string(b)
}

// parseCodecPrefs decodes a CODEC_PREFS string.
func parseCodecPrefs(s string) []Format {
	var out []Format
	for i := 0; i < len(s); i++ {
		n := int(s[i]) - 'A' - 1
		if n >= 0 && n < 64 {
			out = append(out, 1<<n)
		}
	}
	return out
}

// Auth methods (AUTHMETHODS IE bits).
const (
	AuthPlaintext uint16 = 1 << 0
	AuthMD5       uint16 = 1 << 1
	AuthRSA       uint16 = 1 << 2
)

// Hangup cause codes (CAUSECODE IE, Q.931 values) used by this package.
const (
	CauseNormal           uint8 = 16
	CauseBusy             uint8 = 17
	CauseNoAnswer         uint8 = 19
	CauseRejected         uint8 = 21
	CauseFacilityRejected uint8 = 29
	CauseNoRoute          uint8 = 3
	CauseCongestion       uint8 = 34
	CauseUnallocated      uint8 = 1
)
