package iax

import (
	"encoding/binary"
	"fmt"
	"io"
)

var errShortBuffer = io.ErrShortBuffer

// MaxCallNumber is the largest call number (15 bits).
const MaxCallNumber = 0x7fff

// FullFrameHeaderSize is the size of a full frame header.
const FullFrameHeaderSize = 12

// MiniFrameHeaderSize is the size of a mini frame header.
const MiniFrameHeaderSize = 4

// FullFrame is a reliably delivered frame (RFC 5456 §8.1.1):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|F|     Source Call Number      |R|   Destination Call Number   |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                            time-stamp                         |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|   OSeqno      |    ISeqno     |   Frame Type  |C|  Subclass   |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                             Data                              |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// F is always 1. Subclass holds the octet as sent, C bit included: use
// Command, Control or SubclassFormat to read it. For FrameIAX the data is
// the IEs; for every other type it is Payload, opaque here.
type FullFrame struct {
	SourceCall    uint16
	DestCall      uint16
	Retransmitted bool
	Timestamp     uint32
	OSeq, ISeq    uint8
	Type          FrameType
	Subclass      uint8
	IEs           IEs    // FrameIAX only
	Payload       []byte // every other type
}

// Command returns the subclass of an IAX frame.
func (f *FullFrame) Command() Command { return Command(f.Subclass) }

// Control returns the subclass of a control frame.
func (f *FullFrame) Control() Control { return Control(f.Subclass) }

// IsCommand reports whether f is an IAX frame with command c.
func (f *FullFrame) IsCommand(c Command) bool { return f.Type == FrameIAX && Command(f.Subclass) == c }

func (f *FullFrame) String() string {
	var sub string
	switch f.Type {
	case FrameIAX:
		sub = f.Command().String()
	case FrameControl:
		sub = f.Control().String()
	case FrameVoice, FrameVideo:
		sub = SubclassFormat(f.Subclass).String()
	case FrameDTMFBegin, FrameDTMFEnd:
		sub = fmt.Sprintf("%q", rune(f.Subclass))
	default:
		sub = fmt.Sprint(f.Subclass)
	}
	s := fmt.Sprintf("%v %s src=%d dst=%d ts=%d o=%d i=%d", f.Type, sub, f.SourceCall, f.DestCall, f.Timestamp, f.OSeq, f.ISeq)
	if f.Retransmitted {
		s += " R"
	}
	for _, ie := range f.IEs {
		if ie.Type == IEChallenge && f.IsCommand(CmdRTKey) {
			s += " CHALLENGE=<hidden>" // the new key
			continue
		}
		s += " " + ie.String()
	}
	if len(f.Payload) > 0 {
		s += fmt.Sprintf(" +%dB", len(f.Payload))
	}
	return s
}

// MarshalSize returns the encoded length.
func (f *FullFrame) MarshalSize() int {
	return FullFrameHeaderSize + f.IEs.MarshalSize() + len(f.Payload)
}

// MarshalTo writes f into b and returns the bytes written.
func (f *FullFrame) MarshalTo(b []byte) (int, error) {
	if f.SourceCall > MaxCallNumber || f.DestCall > MaxCallNumber {
		return 0, fmt.Errorf("%w: %d/%d", ErrCallNumber, f.SourceCall, f.DestCall)
	}
	if len(b) < f.MarshalSize() {
		return 0, errShortBuffer
	}
	binary.BigEndian.PutUint16(b, 0x8000|f.SourceCall)
	d := f.DestCall
	if f.Retransmitted {
		d |= 0x8000
	}
	binary.BigEndian.PutUint16(b[2:], d)
	binary.BigEndian.PutUint32(b[4:], f.Timestamp)
	b[8], b[9], b[10], b[11] = f.OSeq, f.ISeq, byte(f.Type), f.Subclass
	n, err := f.IEs.MarshalTo(b[FullFrameHeaderSize:])
	if err != nil {
		return 0, err
	}
	n += FullFrameHeaderSize
	n += copy(b[n:], f.Payload)
	return n, nil
}

// Marshal encodes f.
func (f *FullFrame) Marshal() ([]byte, error) {
	b := make([]byte, f.MarshalSize())
	n, err := f.MarshalTo(b)
	if err != nil {
		return nil, err
	}
	return b[:n], nil
}

// Unmarshal decodes a full frame. IE data and Payload refer into b (no
// copy); f.IEs' backing array is reused when it has room, so a FullFrame
// kept across calls parses without allocating.
func (f *FullFrame) Unmarshal(b []byte) error {
	if len(b) < FullFrameHeaderSize {
		return fmt.Errorf("%w: %d bytes, want at least %d", ErrShortFrame, len(b), FullFrameHeaderSize)
	}
	if b[0]&0x80 == 0 {
		return ErrNotFullFrame
	}
	f.SourceCall = binary.BigEndian.Uint16(b) & 0x7fff
	d := binary.BigEndian.Uint16(b[2:])
	f.DestCall = d & 0x7fff
	f.Retransmitted = d&0x8000 != 0
	f.Timestamp = binary.BigEndian.Uint32(b[4:])
	f.OSeq, f.ISeq, f.Type, f.Subclass = b[8], b[9], FrameType(b[10]), b[11]
	data := b[FullFrameHeaderSize:]
	if f.Type == FrameIAX {
		f.Payload = nil
		return f.IEs.Unmarshal(data)
	}
	f.IEs = f.IEs[:0]
	f.Payload = data
	return nil
}

// MiniFrame carries voice with a 16-bit timestamp (RFC 5456 §8.1.2):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|F|     Source call number      |           time-stamp          |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                                       Data                    |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// F is 0 and the source call number is never 0 (that marks a meta frame).
// The payload is in the format of the call's last full voice frame.
type MiniFrame struct {
	SourceCall uint16
	Timestamp  uint16
	Payload    []byte
}

// MarshalSize returns the encoded length.
func (m *MiniFrame) MarshalSize() int { return MiniFrameHeaderSize + len(m.Payload) }

// MarshalTo writes m into b.
func (m *MiniFrame) MarshalTo(b []byte) (int, error) {
	if m.SourceCall == 0 || m.SourceCall > MaxCallNumber {
		return 0, fmt.Errorf("%w: %d", ErrCallNumber, m.SourceCall)
	}
	if len(b) < m.MarshalSize() {
		return 0, errShortBuffer
	}
	binary.BigEndian.PutUint16(b, m.SourceCall)
	binary.BigEndian.PutUint16(b[2:], m.Timestamp)
	return MiniFrameHeaderSize + copy(b[MiniFrameHeaderSize:], m.Payload), nil
}

// Marshal encodes m.
func (m *MiniFrame) Marshal() ([]byte, error) {
	b := make([]byte, m.MarshalSize())
	n, err := m.MarshalTo(b)
	if err != nil {
		return nil, err
	}
	return b[:n], nil
}

// Unmarshal decodes a mini frame; Payload refers into b.
func (m *MiniFrame) Unmarshal(b []byte) error {
	if len(b) < MiniFrameHeaderSize {
		return fmt.Errorf("%w: %d bytes, want at least %d", ErrShortFrame, len(b), MiniFrameHeaderSize)
	}
	if b[0]&0x80 != 0 || (b[0] == 0 && b[1] == 0) {
		return ErrNotMiniFrame
	}
	m.SourceCall = binary.BigEndian.Uint16(b)
	m.Timestamp = binary.BigEndian.Uint16(b[2:])
	m.Payload = b[MiniFrameHeaderSize:]
	return nil
}

// MetaFrame is a frame whose first 16 bits are zero (RFC 5456 §8.1.3):
// either a video mini frame (V bit set) or a meta command such as a trunk
// frame. Only the header is interpreted; Payload is opaque.
//
// Video mini frame:
//
//	|0000000000000000|V|Source call number|T|15-bit time-stamp|data...
//
// Meta command (V=0):
//
//	|0000000000000000|0|meta command|cmd data|32-bit time-stamp|data...
type MetaFrame struct {
	Video bool
	// Video: source call number and timestamp (its top bit is the T flag).
	SourceCall uint16
	// Meta command and its data octet (V=0), e.g. 1 for a trunk frame.
	Command, CommandData uint8
	Timestamp            uint32
	Payload              []byte
}

// MarshalSize returns the encoded length.
func (m *MetaFrame) MarshalSize() int {
	if m.Video {
		return 6 + len(m.Payload)
	}
	return 8 + len(m.Payload)
}

// MarshalTo writes m into b.
func (m *MetaFrame) MarshalTo(b []byte) (int, error) {
	if len(b) < m.MarshalSize() {
		return 0, errShortBuffer
	}
	b[0], b[1] = 0, 0
	if m.Video {
		if m.SourceCall > MaxCallNumber {
			return 0, fmt.Errorf("%w: %d", ErrCallNumber, m.SourceCall)
		}
		binary.BigEndian.PutUint16(b[2:], 0x8000|m.SourceCall)
		binary.BigEndian.PutUint16(b[4:], uint16(m.Timestamp))
		return 6 + copy(b[6:], m.Payload), nil
	}
	if m.Command&0x80 != 0 {
		return 0, fmt.Errorf("%w: meta command %#x", ErrBadSubclass, m.Command)
	}
	b[2], b[3] = m.Command, m.CommandData
	binary.BigEndian.PutUint32(b[4:], m.Timestamp)
	return 8 + copy(b[8:], m.Payload), nil
}

// Marshal encodes m.
func (m *MetaFrame) Marshal() ([]byte, error) {
	b := make([]byte, m.MarshalSize())
	n, err := m.MarshalTo(b)
	if err != nil {
		return nil, err
	}
	return b[:n], nil
}

// Unmarshal decodes a meta frame; Payload refers into b.
func (m *MetaFrame) Unmarshal(b []byte) error {
	if len(b) < 4 {
		return fmt.Errorf("%w: %d bytes", ErrShortFrame, len(b))
	}
	if b[0] != 0 || b[1] != 0 {
		return ErrNotMetaFrame
	}
	*m = MetaFrame{Video: b[2]&0x80 != 0}
	if m.Video {
		if len(b) < 6 {
			return fmt.Errorf("%w: %d bytes, want at least 6", ErrShortFrame, len(b))
		}
		m.SourceCall = binary.BigEndian.Uint16(b[2:]) & 0x7fff
		m.Timestamp = uint32(binary.BigEndian.Uint16(b[4:]))
		m.Payload = b[6:]
		return nil
	}
	if len(b) < 8 {
		return fmt.Errorf("%w: %d bytes, want at least 8", ErrShortFrame, len(b))
	}
	m.Command, m.CommandData = b[2], b[3]
	m.Timestamp = binary.BigEndian.Uint32(b[4:])
	m.Payload = b[8:]
	return nil
}

// Kind says which frame a datagram holds, from its first two octets.
type Kind uint8

// Frame kinds.
const (
	KindFull Kind = iota + 1
	KindMini
	KindMeta
)

// KindOf classifies a datagram; it returns 0 when b is shorter than the
// smallest frame.
func KindOf(b []byte) Kind {
	switch {
	case len(b) < MiniFrameHeaderSize:
		return 0
	case b[0]&0x80 != 0:
		return KindFull
	case b[0] == 0 && b[1] == 0:
		return KindMeta
	}
	return KindMini
}
