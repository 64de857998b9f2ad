package iax

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"time"
)

// IEType identifies an information element (RFC 5456 §8.6, plus
// Asterisk's VARIABLE, OSPTOKEN, CALLTOKEN, CAPABILITY2, FORMAT2 and
// CALLINGANI2).
type IEType uint8

// Information elements.
const (
	IECalledNumber    IEType = 0x01
	IECallingNumber   IEType = 0x02
	IECallingANI      IEType = 0x03
	IECallingName     IEType = 0x04
	IECalledContext   IEType = 0x05
	IEUsername        IEType = 0x06
	IEPassword        IEType = 0x07
	IECapability      IEType = 0x08
	IEFormat          IEType = 0x09
	IELanguage        IEType = 0x0a
	IEVersion         IEType = 0x0b
	IEADSICPE         IEType = 0x0c
	IEDNID            IEType = 0x0d
	IEAuthMethods     IEType = 0x0e
	IEChallenge       IEType = 0x0f
	IEMD5Result       IEType = 0x10
	IERSAResult       IEType = 0x11
	IEApparentAddr    IEType = 0x12
	IERefresh         IEType = 0x13
	IEDPStatus        IEType = 0x14
	IECallNo          IEType = 0x15
	IECause           IEType = 0x16
	IEIAXUnknown      IEType = 0x17
	IEMsgCount        IEType = 0x18
	IEAutoAnswer      IEType = 0x19
	IEMusicOnHold     IEType = 0x1a
	IETransferID      IEType = 0x1b
	IERDNIS           IEType = 0x1c
	IEProvisioning    IEType = 0x1d
	IEAESProvisioning IEType = 0x1e
	IEDateTime        IEType = 0x1f
	IEDeviceType      IEType = 0x20
	IEServiceIdent    IEType = 0x21
	IEFirmwareVer     IEType = 0x22
	IEFwBlockDesc     IEType = 0x23
	IEFwBlockData     IEType = 0x24
	IEProvVer         IEType = 0x25
	IECallingPres     IEType = 0x26
	IECallingTON      IEType = 0x27
	IECallingTNS      IEType = 0x28
	IESamplingRate    IEType = 0x29
	IECauseCode       IEType = 0x2a
	IEEncryption      IEType = 0x2b
	IEEncKey          IEType = 0x2c
	IECodecPrefs      IEType = 0x2d
	IERRJitter        IEType = 0x2e
	IERRLoss          IEType = 0x2f
	IERRPackets       IEType = 0x30
	IERRDelay         IEType = 0x31
	IERRDropped       IEType = 0x32
	IERROOO           IEType = 0x33
	IEVariable        IEType = 0x34
	IEOSPToken        IEType = 0x35
	IECallToken       IEType = 0x36
	IECapability2     IEType = 0x37
	IEFormat2         IEType = 0x38
	IECallingANI2     IEType = 0x39
)

// ieKind says how an element's bytes are read.
type ieKind uint8

const (
	kindRaw ieKind = iota
	kindString
	kindU8
	kindU16
	kindU32
	kindEmpty
	kindAddr
	kindFormat2
	kindDateTime
)

type ieInfo struct {
	name string
	kind ieKind
}

var ieTable = [...]ieInfo{
	IECalledNumber: {"CALLED_NUMBER", kindString}, IECallingNumber: {"CALLING_NUMBER", kindString},
	IECallingANI: {"CALLING_ANI", kindString}, IECallingName: {"CALLING_NAME", kindString},
	IECalledContext: {"CALLED_CONTEXT", kindString}, IEUsername: {"USERNAME", kindString},
	IEPassword: {"PASSWORD", kindString}, IECapability: {"CAPABILITY", kindU32},
	IEFormat: {"FORMAT", kindU32}, IELanguage: {"LANGUAGE", kindString},
	IEVersion: {"VERSION", kindU16}, IEADSICPE: {"ADSICPE", kindU16},
	IEDNID: {"DNID", kindString}, IEAuthMethods: {"AUTHMETHODS", kindU16},
	IEChallenge: {"CHALLENGE", kindString}, IEMD5Result: {"MD5_RESULT", kindString},
	IERSAResult: {"RSA_RESULT", kindString}, IEApparentAddr: {"APPARENT_ADDR", kindAddr},
	IERefresh: {"REFRESH", kindU16}, IEDPStatus: {"DPSTATUS", kindU16},
	IECallNo: {"CALLNO", kindU16}, IECause: {"CAUSE", kindString},
	IEIAXUnknown: {"IAX_UNKNOWN", kindU8}, IEMsgCount: {"MSGCOUNT", kindU16},
	IEAutoAnswer: {"AUTOANSWER", kindEmpty}, IEMusicOnHold: {"MUSICONHOLD", kindString},
	IETransferID: {"TRANSFERID", kindU32}, IERDNIS: {"RDNIS", kindString},
	IEProvisioning: {"PROVISIONING", kindRaw}, IEAESProvisioning: {"AESPROVISIONING", kindRaw},
	IEDateTime: {"DATETIME", kindDateTime}, IEDeviceType: {"DEVICETYPE", kindString},
	IEServiceIdent: {"SERVICEIDENT", kindString}, IEFirmwareVer: {"FIRMWAREVER", kindU16},
	IEFwBlockDesc: {"FWBLOCKDESC", kindU32}, IEFwBlockData: {"FWBLOCKDATA", kindRaw},
	IEProvVer: {"PROVVER", kindU32}, IECallingPres: {"CALLINGPRES", kindU8},
	IECallingTON: {"CALLINGTON", kindU8}, IECallingTNS: {"CALLINGTNS", kindU16},
	IESamplingRate: {"SAMPLINGRATE", kindU16}, IECauseCode: {"CAUSECODE", kindU8},
	IEEncryption: {"ENCRYPTION", kindU16}, IEEncKey: {"ENCKEY", kindRaw},
	IECodecPrefs: {"CODEC_PREFS", kindString}, IERRJitter: {"RR_JITTER", kindU32},
	IERRLoss: {"RR_LOSS", kindU32}, IERRPackets: {"RR_PKTS", kindU32},
	IERRDelay: {"RR_DELAY", kindU16}, IERRDropped: {"RR_DROPPED", kindU32},
	IERROOO: {"RR_OOO", kindU32}, IEVariable: {"VARIABLE", kindString},
	IEOSPToken: {"OSPTOKEN", kindRaw}, IECallToken: {"CALLTOKEN", kindString},
	IECapability2: {"CAPABILITY2", kindFormat2}, IEFormat2: {"FORMAT2", kindFormat2},
	IECallingANI2: {"CALLINGANI2", kindU32},
}

func (t IEType) info() ieInfo {
	if int(t) < len(ieTable) && ieTable[t].name != "" {
		return ieTable[t]
	}
	return ieInfo{kind: kindRaw}
}

func (t IEType) String() string {
	if n := t.info().name; n != "" {
		return n
	}
	return fmt.Sprintf("IE(%#02x)", uint8(t))
}

// IE is one information element as it is on the wire:
//
//	 0                   1
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|    IE type    |  data length  |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|  data (0..255 octets)  ...    |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Data is kept as raw bytes, whatever the type, so that every element,
// known or not, is marshalled back exactly as it was received.
type IE struct {
	Type IEType
	Data []byte
}

func (ie IE) String() string {
	switch ie.Type.info().kind {
	case kindString:
		if ie.Type == IEMD5Result || ie.Type == IEPassword {
			return ie.Type.String() + "=<hidden>"
		}
		return fmt.Sprintf("%v=%q", ie.Type, ie.Data)
	case kindU8, kindU16, kindU32:
		if v, err := ie.uint(); err == nil {
			return fmt.Sprintf("%v=%d", ie.Type, v)
		}
	case kindEmpty:
		if len(ie.Data) == 0 {
			return ie.Type.String()
		}
	}
	return fmt.Sprintf("%v=% x", ie.Type, ie.Data)
}

func (ie IE) uint() (uint64, error) {
	want := 0
	switch ie.Type.info().kind {
	case kindU8:
		want = 1
	case kindU16:
		want = 2
	case kindU32, kindDateTime:
		want = 4
	default:
		return 0, fmt.Errorf("%w: %v is not a number", ErrIELength, ie.Type)
	}
	if len(ie.Data) != want {
		return 0, fmt.Errorf("%w: %v is %d bytes, want %d", ErrIELength, ie.Type, len(ie.Data), want)
	}
	switch want {
	case 1:
		return uint64(ie.Data[0]), nil
	case 2:
		return uint64(binary.BigEndian.Uint16(ie.Data)), nil
	}
	return uint64(binary.BigEndian.Uint32(ie.Data)), nil
}

// IEs is an ordered list of information elements, the payload of an IAX
// frame. Order is preserved, and repeated elements are kept.
type IEs []IE

// MarshalSize returns the encoded length.
func (l IEs) MarshalSize() int {
	n := 0
	for _, ie := range l {
		n += 2 + len(ie.Data)
	}
	return n
}

// MarshalTo writes the elements into b and returns the bytes written.
func (l IEs) MarshalTo(b []byte) (int, error) {
	n := 0
	for _, ie := range l {
		if len(ie.Data) > 255 {
			return 0, fmt.Errorf("%w: %v is %d bytes", ErrIETooLong, ie.Type, len(ie.Data))
		}
		if len(b)-n < 2+len(ie.Data) {
			return 0, errShortBuffer
		}
		b[n] = byte(ie.Type)
		b[n+1] = byte(len(ie.Data))
		n += 2 + copy(b[n+2:], ie.Data)
	}
	return n, nil
}

// Marshal encodes the elements.
func (l IEs) Marshal() ([]byte, error) {
	b := make([]byte, l.MarshalSize())
	n, err := l.MarshalTo(b)
	return b[:n], err
}

// Unmarshal replaces *l with the elements in b. The elements' Data refer
// into b (no copy); the slice of *l is reused when it has capacity.
func (l *IEs) Unmarshal(b []byte) error {
	out := (*l)[:0]
	if cap(out) == 0 {
		n := 0
		for off := 0; off+1 < len(b); off += 2 + int(b[off+1]) {
			n++
		}
		out = make(IEs, 0, n)
	}
	for off := 0; off < len(b); {
		if len(b)-off < 2 {
			*l = out
			return fmt.Errorf("%w: 1 stray byte at offset %d", ErrBadIE, off)
		}
		n := int(b[off+1])
		if off+2+n > len(b) {
			*l = out
			return fmt.Errorf("%w: %v claims %d bytes, %d left", ErrBadIE, IEType(b[off]), n, len(b)-off-2)
		}
		out = append(out, IE{Type: IEType(b[off]), Data: b[off+2 : off+2+n : off+2+n]})
		off += 2 + n
	}
	*l = out
	return nil
}

// Get returns the first element of type t.
func (l IEs) Get(t IEType) (IE, bool) {
	for _, ie := range l {
		if ie.Type == t {
			return ie, true
		}
	}
	return IE{}, false
}

// Has reports whether an element of type t is present.
func (l IEs) Has(t IEType) bool {
	_, ok := l.Get(t)
	return ok
}

// String returns the first element of type t as a string ("" if absent).
func (l IEs) String(t IEType) string {
	ie, _ := l.Get(t)
	return string(ie.Data)
}

// Uint returns the first element of type t as an unsigned number; the
// element must have the length its type defines (1, 2 or 4 bytes).
func (l IEs) Uint(t IEType) (uint64, error) {
	ie, ok := l.Get(t)
	if !ok {
		return 0, fmt.Errorf("%w: %v", ErrIEMissing, t)
	}
	return ie.uint()
}

// Format2 returns a CAPABILITY2 or FORMAT2 element: a version octet (0)
// and a 64-bit big-endian mask.
func (l IEs) Format2(t IEType) (Format, error) {
	ie, ok := l.Get(t)
	if !ok {
		return 0, fmt.Errorf("%w: %v", ErrIEMissing, t)
	}
	if len(ie.Data) != 9 {
		return 0, fmt.Errorf("%w: %v is %d bytes, want 9", ErrIELength, t, len(ie.Data))
	}
	return Format(binary.BigEndian.Uint64(ie.Data[1:])), nil
}

// Formats returns the desired format and capability of a NEW or ACCEPT,
// preferring the 64-bit elements when present.
func (l IEs) Formats() (format, capability Format) {
	if f, err := l.Format2(IEFormat2); err == nil {
		format = f
	} else if v, err := l.Uint(IEFormat); err == nil {
		format = Format(v)
	}
	if f, err := l.Format2(IECapability2); err == nil {
		capability = f
	} else if v, err := l.Uint(IECapability); err == nil {
		capability = Format(v)
	}
	return format, capability
}

// CodecPrefs returns the CODEC_PREFS element decoded to formats.
func (l IEs) CodecPrefs() []Format { return parseCodecPrefs(l.String(IECodecPrefs)) }

// ApparentAddr decodes an APPARENT_ADDR element. Asterisk sends a raw
// struct sockaddr_in (16 bytes: family in host order, port, IPv4 address,
// padding) or sockaddr_in6 (28 bytes).
func (l IEs) ApparentAddr() (netip.AddrPort, error) {
	ie, ok := l.Get(IEApparentAddr)
	if !ok {
		return netip.AddrPort{}, fmt.Errorf("%w: %v", ErrIEMissing, IEApparentAddr)
	}
	b := ie.Data
	switch len(b) {
	case 16:
		return netip.AddrPortFrom(netip.AddrFrom4([4]byte(b[4:8])), binary.BigEndian.Uint16(b[2:])), nil
	case 28:
		return netip.AddrPortFrom(netip.AddrFrom16([16]byte(b[8:24])), binary.BigEndian.Uint16(b[2:])), nil
	}
	return netip.AddrPort{}, fmt.Errorf("%w: APPARENT_ADDR is %d bytes, want 16 or 28", ErrIELength, len(b))
}

// DateTime decodes a DATETIME element (packed local date and time with
// two-second resolution; Asterisk sends UTC).
func (l IEs) DateTime() (time.Time, error) {
	v, err := l.Uint(IEDateTime)
	if err != nil {
		return time.Time{}, err
	}
	return time.Date(2000+int(v>>25), time.Month(v>>21&0xf), int(v>>16&0x1f),
		int(v>>11&0x1f), int(v>>5&0x3f), int(v&0x1f)*2, 0, time.UTC), nil
}

// Add appends a raw element.
func (l *IEs) Add(t IEType, data []byte) { *l = append(*l, IE{Type: t, Data: data}) }

// AddString appends a string element.
func (l *IEs) AddString(t IEType, s string) { l.Add(t, []byte(s)) }

// AddUint8 appends a one-octet element.
func (l *IEs) AddUint8(t IEType, v uint8) { l.Add(t, []byte{v}) }

// AddUint16 appends a two-octet element.
func (l *IEs) AddUint16(t IEType, v uint16) { l.Add(t, binary.BigEndian.AppendUint16(nil, v)) }

// AddUint32 appends a four-octet element.
func (l *IEs) AddUint32(t IEType, v uint32) { l.Add(t, binary.BigEndian.AppendUint32(nil, v)) }

// AddFormat2 appends a CAPABILITY2 or FORMAT2 element (version 0).
func (l *IEs) AddFormat2(t IEType, f Format) {
	l.Add(t, binary.BigEndian.AppendUint64([]byte{0}, uint64(f)))
}

// AddEmpty appends an element without data (AUTOANSWER, an empty CALLTOKEN).
func (l *IEs) AddEmpty(t IEType) { l.Add(t, []byte{}) }

// AddApparentAddr appends an APPARENT_ADDR element in the layout Asterisk
// sends (sockaddr_in with the family in little-endian order).
func (l *IEs) AddApparentAddr(a netip.AddrPort) {
	if a.Addr().Is4() || a.Addr().Is4In6() {
		b := make([]byte, 16)
		binary.LittleEndian.PutUint16(b, 2)
		binary.BigEndian.PutUint16(b[2:], a.Port())
		ip := a.Addr().Unmap().As4()
		copy(b[4:], ip[:])
		l.Add(IEApparentAddr, b)
		return
	}
	b := make([]byte, 28)
	binary.LittleEndian.PutUint16(b, 10)
	binary.BigEndian.PutUint16(b[2:], a.Port())
	ip := a.Addr().As16()
	copy(b[8:], ip[:])
	l.Add(IEApparentAddr, b)
}

// AddDateTime appends a DATETIME element for t (in UTC).
func (l *IEs) AddDateTime(t time.Time) {
	t = t.UTC()
	y := t.Year() - 2000
	if y < 0 {
		y = 0
	}
	v := uint32(y&0x7f)<<25 | uint32(t.Month())<<21 | uint32(t.Day())<<16 |
		uint32(t.Hour())<<11 | uint32(t.Minute())<<5 | uint32(t.Second()/2)
	l.AddUint32(IEDateTime, v)
}
