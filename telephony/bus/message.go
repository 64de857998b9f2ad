package bus

import (
	"encoding/binary"
	"fmt"
	"io"

	"github.com/ringo-phone/ringo/telephony/valuespace"
)

// Version is the protocol version this package speaks.
const Version = 1

// MaxMessageSize is the largest payload a frame may carry, in bytes.
const MaxMessageSize = 1 << 20

// Op is the type of a message; the numbers are the wire values.
type Op uint8

// Message types. C→S: sent by clients; S→C: sent by the server.
const (
	OpHello       Op = 1  // C→S Version, Name
	OpWelcome     Op = 2  // S→C Version, Ref = the connection's owner id
	OpSet         Op = 3  // C→S ID, Path, Value
	OpRemove      Op = 4  // C→S ID, Path
	OpApply       Op = 5  // C→S ID, Changes (set or removed)
	OpGet         Op = 6  // C→S ID, Path
	OpList        Op = 7  // C→S ID, Path
	OpSnapshot    Op = 8  // C→S ID, Path
	OpSubscribe   Op = 9  // C→S ID, Path; notifications carry Ref = ID
	OpUnsubscribe Op = 10 // C→S ID, Ref
	OpNotify      Op = 11 // S→C Ref, Seq, Initial, Changes
	OpListen      Op = 12 // C→S ID, Path (a channel)
	OpUnlisten    Op = 13 // C→S ID, Path
	OpSend        Op = 14 // C→S ID, Path, Name, Args
	OpDeliver     Op = 15 // S→C Ref = sender's owner id, Path, Name, Args
	OpReply       Op = 16 // S→C ID, Name = error text, Found, Value, Count, Names, Changes, Owners
	OpClients     Op = 17 // C→S ID; the reply lists client Names and their Owners
)

var opNames = [...]string{
	OpHello: "hello", OpWelcome: "welcome", OpSet: "set", OpRemove: "remove",
	OpApply: "apply", OpGet: "get", OpList: "list", OpSnapshot: "snapshot",
	OpSubscribe: "subscribe", OpUnsubscribe: "unsubscribe", OpNotify: "notify",
	OpListen: "listen", OpUnlisten: "unlisten", OpSend: "send",
	OpDeliver: "deliver", OpReply: "reply", OpClients: "clients",
}

func (o Op) String() string {
	if int(o) < len(opNames) && opNames[o] != "" {
		return opNames[o]
	}
	return fmt.Sprintf("op(%d)", uint8(o))
}

// Message is one bus message. Which fields travel depends on Op (see the
// constants and docs/bus-protocol.md); the others must be zero and are
// ignored by Marshal.
//
// Payload layout: one byte Op, then the fields of that Op in this order,
// each encoded as
//
//	uint     unsigned varint (LEB128, as encoding/binary)
//	string   uint length, then that many bytes
//	flag     one byte, 0 or 1
//	value    one byte kind (1 string, 2 int, 3 bool, 4 string list), then
//	         string | signed zig-zag varint | flag | uint count + strings
//	change   one byte (0 set, 1 removed), string path, value if set
//	list     uint count, then the items
//
// A frame on the socket is a 4-byte big-endian payload length, then the
// payload; see WriteFrame and ReadFrame.
type Message struct {
	Op      Op
	ID      uint64 // request id; 0 asks for no reply (errors still come back with ID 0)
	Ref     uint64 // subscription (Notify, Unsubscribe), sender (Deliver), owner (Welcome)
	Version uint64 // Hello, Welcome
	Seq     uint64 // Notify: value-space batch sequence number
	Count   uint64 // Reply to Send: number of receiving connections
	Path    string // value-space path or qcop channel
	Name    string // client name (Hello), message name (Send, Deliver), error text (Reply)
	Found   bool   // Reply to Get
	Initial bool   // Notify: first batch of a subscription
	Value   valuespace.Value
	Names   []string
	Args    []valuespace.Value
	Changes []valuespace.Change
	Owners  []uint64 // Reply to Snapshot (owner of each change) and Clients
}

type field uint8

const (
	fID field = iota
	fRef
	fVersion
	fSeq
	fCount
	fPath
	fName
	fFound
	fInitial
	fValue
	fNames
	fArgs
	fChanges
	fOwners
)

var layouts = map[Op][]field{
	OpHello:       {fVersion, fName},
	OpWelcome:     {fVersion, fRef},
	OpSet:         {fID, fPath, fValue},
	OpRemove:      {fID, fPath},
	OpApply:       {fID, fChanges},
	OpGet:         {fID, fPath},
	OpList:        {fID, fPath},
	OpSnapshot:    {fID, fPath},
	OpSubscribe:   {fID, fPath},
	OpUnsubscribe: {fID, fRef},
	OpNotify:      {fRef, fSeq, fInitial, fChanges},
	OpListen:      {fID, fPath},
	OpUnlisten:    {fID, fPath},
	OpSend:        {fID, fPath, fName, fArgs},
	OpDeliver:     {fRef, fPath, fName, fArgs},
	OpReply:       {fID, fName, fFound, fValue, fCount, fNames, fChanges, fOwners},
	OpClients:     {fID},
}

// MarshalSize returns the payload length Marshal produces.
func (m *Message) MarshalSize() int {
	n := 1
	for _, f := range layouts[m.Op] {
		switch f {
		case fID:
			n += uvarintLen(m.ID)
		case fRef:
			n += uvarintLen(m.Ref)
		case fVersion:
			n += uvarintLen(m.Version)
		case fSeq:
			n += uvarintLen(m.Seq)
		case fCount:
			n += uvarintLen(m.Count)
		case fPath:
			n += strLen(m.Path)
		case fName:
			n += strLen(m.Name)
		case fFound, fInitial:
			n++
		case fValue:
			n += valueLen(m.Value)
		case fNames:
			n += uvarintLen(uint64(len(m.Names)))
			for _, s := range m.Names {
				n += strLen(s)
			}
		case fArgs:
			n += uvarintLen(uint64(len(m.Args)))
			for _, v := range m.Args {
				n += valueLen(v)
			}
		case fChanges:
			n += uvarintLen(uint64(len(m.Changes)))
			for _, c := range m.Changes {
				n += 1 + strLen(c.Path)
				if !c.Removed {
					n += valueLen(c.Value)
				}
			}
		case fOwners:
			n += uvarintLen(uint64(len(m.Owners)))
			for _, o := range m.Owners {
				n += uvarintLen(o)
			}
		}
	}
	return n
}

// Marshal returns the payload of m (without the frame length).
func (m *Message) Marshal() ([]byte, error) {
	buf := make([]byte, m.MarshalSize())
	n, err := m.MarshalTo(buf)
	return buf[:n], err
}

// MarshalTo writes the payload of m into buf and returns its length, or
// io.ErrShortBuffer when buf is smaller than MarshalSize.
func (m *Message) MarshalTo(buf []byte) (int, error) {
	if _, ok := layouts[m.Op]; !ok {
		return 0, fmt.Errorf("%w: %d", ErrUnknownOp, uint8(m.Op))
	}
	if len(buf) < m.MarshalSize() {
		return 0, io.ErrShortBuffer
	}
	b := buf[:0]
	b = append(b, byte(m.Op))
	for _, f := range layouts[m.Op] {
		switch f {
		case fID:
			b = binary.AppendUvarint(b, m.ID)
		case fRef:
			b = binary.AppendUvarint(b, m.Ref)
		case fVersion:
			b = binary.AppendUvarint(b, m.Version)
		case fSeq:
			b = binary.AppendUvarint(b, m.Seq)
		case fCount:
			b = binary.AppendUvarint(b, m.Count)
		case fPath:
			b = appendStr(b, m.Path)
		case fName:
			b = appendStr(b, m.Name)
		case fFound:
			b = appendFlag(b, m.Found)
		case fInitial:
			b = appendFlag(b, m.Initial)
		case fValue:
			b = appendValue(b, m.Value)
		case fNames:
			b = binary.AppendUvarint(b, uint64(len(m.Names)))
			for _, s := range m.Names {
				b = appendStr(b, s)
			}
		case fArgs:
			b = binary.AppendUvarint(b, uint64(len(m.Args)))
			for _, v := range m.Args {
				b = appendValue(b, v)
			}
		case fChanges:
			b = binary.AppendUvarint(b, uint64(len(m.Changes)))
			for _, c := range m.Changes {
				if c.Removed {
					b = append(b, 1)
					b = appendStr(b, c.Path)
				} else {
					b = append(b, 0)
					b = appendStr(b, c.Path)
					b = appendValue(b, c.Value)
				}
			}
		case fOwners:
			b = binary.AppendUvarint(b, uint64(len(m.Owners)))
			for _, o := range m.Owners {
				b = binary.AppendUvarint(b, o)
			}
		}
	}
	return len(b), nil
}

// Unmarshal parses a payload into m, replacing its content. It copies what
// it keeps: m holds no reference into buf afterwards. Fields of the Reply's
// Value are invalid (the zero Value) when the reply carries none.
func (m *Message) Unmarshal(buf []byte) error {
	*m = Message{}
	if len(buf) == 0 {
		return ErrShortMessage
	}
	m.Op = Op(buf[0])
	layout, ok := layouts[m.Op]
	if !ok {
		return fmt.Errorf("%w: %d", ErrUnknownOp, buf[0])
	}
	d := decoder{b: buf[1:]}
	for _, f := range layout {
		switch f {
		case fID:
			m.ID = d.uvarint()
		case fRef:
			m.Ref = d.uvarint()
		case fVersion:
			m.Version = d.uvarint()
		case fSeq:
			m.Seq = d.uvarint()
		case fCount:
			m.Count = d.uvarint()
		case fPath:
			m.Path = d.str()
		case fName:
			m.Name = d.str()
		case fFound:
			m.Found = d.flag()
		case fInitial:
			m.Initial = d.flag()
		case fValue:
			m.Value = d.value(m.Op == OpReply)
		case fNames:
			n := d.count()
			if n > 0 {
				m.Names = make([]string, n)
				for i := range m.Names {
					m.Names[i] = d.str()
				}
			}
		case fArgs:
			n := d.count()
			if n > 0 {
				m.Args = make([]valuespace.Value, n)
				for i := range m.Args {
					m.Args[i] = d.value(false)
				}
			}
		case fChanges:
			n := d.count()
			if n > 0 {
				m.Changes = make([]valuespace.Change, n)
				for i := range m.Changes {
					switch d.byte() {
					case 0:
						m.Changes[i].Path = d.str()
						m.Changes[i].Value = d.value(false)
					case 1:
						m.Changes[i].Path = d.str()
						m.Changes[i].Removed = true
					default:
						d.fail(fmt.Errorf("%w: change kind", ErrBadMessage))
					}
				}
			}
		case fOwners:
			n := d.count()
			if n > 0 {
				m.Owners = make([]uint64, n)
				for i := range m.Owners {
					m.Owners[i] = d.uvarint()
				}
			}
		}
		if d.err != nil {
			return fmt.Errorf("%s: %w", m.Op, d.err)
		}
	}
	if len(d.b) != 0 {
		return fmt.Errorf("%s: %w: %d", m.Op, ErrTrailingBytes, len(d.b))
	}
	return nil
}

func uvarintLen(x uint64) int {
	n := 1
	for x >= 0x80 {
		x >>= 7
		n++
	}
	return n
}

func strLen(s string) int { return uvarintLen(uint64(len(s))) + len(s) }

func valueLen(v valuespace.Value) int {
	switch v.Kind() {
	case valuespace.KindString:
		s, _ := v.Str()
		return 1 + strLen(s)
	case valuespace.KindInt:
		i, _ := v.Int()
		return 1 + uvarintLen(zigzag(i))
	case valuespace.KindBool:
		return 2
	case valuespace.KindStrings:
		l, _ := v.List()
		n := 1 + uvarintLen(uint64(len(l)))
		for _, s := range l {
			n += strLen(s)
		}
		return n
	}
	return 1
}

func zigzag(i int64) uint64 { return uint64(i<<1) ^ uint64(i>>63) }

func appendStr(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendFlag(b []byte, f bool) []byte {
	if f {
		return append(b, 1)
	}
	return append(b, 0)
}

func appendValue(b []byte, v valuespace.Value) []byte {
	b = append(b, byte(v.Kind()))
	switch v.Kind() {
	case valuespace.KindString:
		s, _ := v.Str()
		b = appendStr(b, s)
	case valuespace.KindInt:
		i, _ := v.Int()
		b = binary.AppendUvarint(b, zigzag(i))
	case valuespace.KindBool:
		x, _ := v.Bool()
		b = appendFlag(b, x)
	case valuespace.KindStrings:
		l, _ := v.List()
		b = binary.AppendUvarint(b, uint64(len(l)))
		for _, s := range l {
			b = appendStr(b, s)
		}
	}
	return b
}

// decoder reads fields and remembers the first error; after an error every
// read returns a zero value.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail(err error) {
	if d.err == nil {
		d.err = err
	}
	d.b = nil
}

func (d *decoder) byte() byte {
	if len(d.b) < 1 {
		d.fail(ErrShortMessage)
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *decoder) uvarint() uint64 {
	x, n := binary.Uvarint(d.b)
	if n <= 0 {
		if n == 0 {
			d.fail(ErrShortMessage)
		} else {
			d.fail(fmt.Errorf("%w: varint overflows 64 bits", ErrBadMessage))
		}
		return 0
	}
	if n != uvarintLen(x) {
		d.fail(fmt.Errorf("%w: varint not in shortest form", ErrBadMessage))
		return 0
	}
	d.b = d.b[n:]
	return x
}

// count reads a list length; every item takes at least one byte, so a count
// above the bytes left is malformed (and never allocated).
func (d *decoder) count() int {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.fail(fmt.Errorf("%w: list of %d items in %d bytes", ErrShortMessage, n, len(d.b)))
		return 0
	}
	return int(n)
}

func (d *decoder) str() string {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.fail(fmt.Errorf("%w: string of %d bytes in %d", ErrShortMessage, n, len(d.b)))
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

func (d *decoder) flag() bool {
	switch d.byte() {
	case 0:
		return false
	case 1:
		return true
	}
	d.fail(fmt.Errorf("%w: flag not 0 or 1", ErrBadMessage))
	return false
}

// value reads a value; optional allows kind 0 (no value, in replies).
func (d *decoder) value(optional bool) valuespace.Value {
	switch k := valuespace.Kind(d.byte()); k {
	case valuespace.KindInvalid:
		if !optional && d.err == nil {
			d.fail(fmt.Errorf("%w: missing value", ErrBadMessage))
		}
		return valuespace.Value{}
	case valuespace.KindString:
		return valuespace.String(d.str())
	case valuespace.KindInt:
		z := d.uvarint()
		return valuespace.Int(int64(z>>1) ^ -int64(z&1))
	case valuespace.KindBool:
		return valuespace.Bool(d.flag())
	case valuespace.KindStrings:
		n := d.count()
		l := make([]string, n)
		for i := range l {
			l[i] = d.str()
		}
		return valuespace.Strings(l...)
	default:
		d.fail(fmt.Errorf("%w: value kind %d", ErrBadMessage, k))
		return valuespace.Value{}
	}
}
