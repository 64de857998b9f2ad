package modem

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// The result lines of 3GPP TS 27.007 that a voice agent reads, and the
// commands it builds from user input.

// cmeTexts are the +CME ERROR codes of 27.007 §9.2.1 a voice agent meets.
var cmeTexts = map[int]string{
	0: "phone failure", 1: "no connection to phone", 3: "operation not allowed", 4: "operation not supported",
	5: "PH-SIM PIN required", 10: "SIM not inserted", 11: "SIM PIN required", 12: "SIM PUK required",
	13: "SIM failure", 14: "SIM busy", 15: "SIM wrong", 16: "incorrect password", 17: "SIM PIN2 required",
	18: "SIM PUK2 required", 20: "memory full", 21: "invalid index", 22: "not found", 23: "memory failure",
	24: "text string too long", 25: "invalid characters in text string", 26: "dial string too long",
	27: "invalid characters in dial string", 30: "no network service", 31: "network timeout",
	32: "network not allowed - emergency calls only", 40: "network personalization PIN required",
	100: "unknown",
}

// CME error codes the agent acts on.
const (
	CMESIMNotInserted     = 10
	CMESIMPINRequired     = 11
	CMESIMPUKRequired     = 12
	CMESIMFailure         = 13
	CMESIMBusy            = 14
	CMEIncorrectPassword  = 16
	CMENoNetworkService   = 30
	CMENetworkTimeout     = 31
	CMEEmergencyCallsOnly = 32
)

// CMEText names a +CME ERROR code, "" when it is not one of 27.007's.
func CMEText(code int) string { return cmeTexts[code] }

var cmsTexts = map[int]string{
	300: "ME failure", 302: "operation not allowed", 303: "operation not supported", 304: "invalid PDU mode parameter",
	305: "invalid text mode parameter", 310: "SIM not inserted", 311: "SIM PIN required", 313: "SIM failure",
	314: "SIM busy", 315: "SIM wrong", 316: "SIM PUK required", 320: "memory failure", 321: "invalid memory index",
	322: "memory full", 330: "SMSC address unknown", 331: "no network service", 332: "network timeout",
	500: "unknown error",
}

// CMSText names a +CMS ERROR code, "" when it is not one of 27.007's.
func CMSText(code int) string { return cmsTexts[code] }

func parseNamed(line string, names ...string) (Info, error) {
	in, err := ParseInfo(line)
	if err != nil {
		return Info{}, err
	}
	for _, n := range names {
		if strings.EqualFold(in.Name, n) {
			return in, nil
		}
	}
	return Info{}, fmt.Errorf("%w: %q is not a %s line", ErrSyntax, Redact(line), strings.Join(names, " or "))
}

// RegStat is a network registration status (<stat> of +CREG, +CGREG,
// +CEREG).
type RegStat uint8

// Registration statuses.
const (
	RegNotSearching RegStat = iota // not registered, not searching
	RegHome                        // registered, home network
	RegSearching                   // not registered, searching
	RegDenied                      // registration denied
	RegUnknown                     // unknown (out of coverage)
	RegRoaming                     // registered, roaming
)

var regStatNames = []string{"not-searching", "home", "searching", "denied", "unknown", "roaming"}

func (s RegStat) String() string {
	if int(s) < len(regStatNames) {
		return regStatNames[s]
	}
	return "stat(" + strconv.Itoa(int(s)) + ")"
}

// Registration is a +CREG (or +CGREG, +CEREG) line.
type Registration struct {
	// N is the URC mode of a query's answer (AT+CREG?), -1 in a URC.
	N    int
	Stat RegStat
	// LAC and CI are the location area and cell (hex), when given.
	LAC, CI string
	// AcT is the access technology, -1 when not given.
	AcT int
}

// ParseCREG parses a +CREG, +CGREG or +CEREG line: the answer to a query
// ("+CREG: n,stat[,lac,ci[,act]]") when query is true, else the URC
// ("+CREG: stat[,lac,ci[,act]]"). The two cannot be told apart by the
// line itself. Statuses above 5 (SMS only, CSFB, ...) are RegUnknown.
func ParseCREG(line string, query bool) (Registration, error) {
	in, err := parseNamed(line, "+CREG", "+CGREG", "+CEREG")
	if err != nil {
		return Registration{}, err
	}
	r := Registration{N: -1, AcT: -1}
	i := 0
	if query {
		if r.N, err = in.Int(0); err != nil {
			return Registration{}, err
		}
		i = 1
	}
	st, err := in.Int(i)
	if err != nil {
		return Registration{}, err
	}
	if st < 0 {
		return Registration{}, fmt.Errorf("%w: %s status %d", ErrSyntax, in.Name, st)
	}
	r.Stat = RegUnknown
	if st <= int(RegRoaming) {
		r.Stat = RegStat(st)
	}
	r.LAC, r.CI = in.Str(i+1), in.Str(i+2)
	if r.AcT, err = in.IntOr(i+3, -1); err != nil {
		return Registration{}, err
	}
	return r, nil
}

// CurrentOperator is the answer to AT+COPS?.
type CurrentOperator struct {
	// Mode is 0 automatic, 1 manual, 2 deregistered, 3 format only,
	// 4 manual then automatic.
	Mode int
	// Format is 0 long name, 1 short name, 2 numeric; -1 with no operator.
	Format int
	Name   string
	// AcT is the access technology, -1 when not given.
	AcT int
}

// ParseCOPS parses "+COPS: mode[,format,oper[,act]]".
func ParseCOPS(line string) (CurrentOperator, error) {
	in, err := parseNamed(line, "+COPS")
	if err != nil {
		return CurrentOperator{}, err
	}
	op := CurrentOperator{Format: -1, AcT: -1}
	if op.Mode, err = in.Int(0); err != nil {
		return CurrentOperator{}, err
	}
	if op.Format, err = in.IntOr(1, -1); err != nil {
		return CurrentOperator{}, err
	}
	op.Name = in.Str(2)
	if op.AcT, err = in.IntOr(3, -1); err != nil {
		return CurrentOperator{}, err
	}
	return op, nil
}

// OperatorStat is an operator's availability in AT+COPS=?.
type OperatorStat uint8

// Operator availabilities.
const (
	OperatorUnknown OperatorStat = iota
	OperatorAvailable
	OperatorCurrent
	OperatorForbidden
)

// Operator is one entry of the operator list of AT+COPS=?.
type Operator struct {
	Stat             OperatorStat
	Long, Short, Num string
	// AcT is the access technology, -1 when not given.
	AcT int
}

// ParseOperators parses the answer to AT+COPS=?:
// "+COPS: (2,"Long","Short","00101",7),(1,...),,(0-4),(0-2)"; the
// lists after the empty argument (the supported modes and formats) are
// skipped.
func ParseOperators(line string) ([]Operator, error) {
	in, err := parseNamed(line, "+COPS")
	if err != nil {
		return nil, err
	}
	var ops []Operator
	for i := 0; i < in.Len() && in.Str(i) != ""; i++ {
		g, err := in.Group(i)
		if err != nil {
			return nil, err
		}
		st, err := g.Int(0)
		if err != nil {
			return nil, fmt.Errorf("operator %d: %w", i+1, err)
		}
		if st < 0 || st > int(OperatorForbidden) {
			st = int(OperatorUnknown)
		}
		op := Operator{Stat: OperatorStat(st), Long: g.Str(1), Short: g.Str(2), Num: g.Str(3)}
		if op.AcT, err = g.IntOr(4, -1); err != nil {
			return nil, fmt.Errorf("operator %d: %w", i+1, err)
		}
		ops = append(ops, op)
	}
	return ops, nil
}

// AcTName names an access technology of 27.007 (<AcT>).
func AcTName(act int) string {
	switch act {
	case 0, 1, 3:
		return "GSM"
	case 2, 4, 5, 6:
		return "UMTS"
	case 7, 9, 10, 11, 12:
		return "LTE"
	case 8:
		return "EC-GSM"
	case 13:
		return "NR"
	}
	return ""
}

// CallStat is a call's state in +CLCC.
type CallStat uint8

// Call states of +CLCC.
const (
	CallActive CallStat = iota
	CallHeld
	CallDialing
	CallAlerting
	CallIncoming
	CallWaiting
)

var callStatNames = []string{"active", "held", "dialing", "alerting", "incoming", "waiting"}

func (s CallStat) String() string {
	if int(s) < len(callStatNames) {
		return callStatNames[s]
	}
	return "stat(" + strconv.Itoa(int(s)) + ")"
}

// ListedCall is one line of AT+CLCC's answer.
type ListedCall struct {
	Index      int
	Incoming   bool // dir 1: mobile terminated
	Stat       CallStat
	Mode       int // 0 voice, 1 data, 2 fax
	Multiparty bool
	Number     string
	Type       int // 129 national/unknown, 145 international; -1 absent
	Alpha      string
}

// ParseCLCC parses "+CLCC: id,dir,stat,mode,mpty[,number,type[,alpha]]".
func ParseCLCC(line string) (ListedCall, error) {
	in, err := parseNamed(line, "+CLCC")
	if err != nil {
		return ListedCall{}, err
	}
	var n [5]int
	for i := range n {
		if n[i], err = in.Int(i); err != nil {
			return ListedCall{}, err
		}
	}
	if n[0] < 1 || n[2] < 0 || n[2] > int(CallWaiting) {
		return ListedCall{}, fmt.Errorf("%w: +CLCC call %d in state %d", ErrSyntax, n[0], n[2])
	}
	c := ListedCall{Index: n[0], Incoming: n[1] == 1, Stat: CallStat(n[2]), Mode: n[3], Multiparty: n[4] == 1,
		Number: in.Str(5), Alpha: in.Str(7)}
	if c.Type, err = in.IntOr(6, -1); err != nil {
		return ListedCall{}, err
	}
	return c, nil
}

// Line writes c as AT+CLCC answers it.
func (c ListedCall) Line() string {
	b2i := func(b bool) string {
		if b {
			return "1"
		}
		return "0"
	}
	typ := c.Type
	if typ < 0 {
		typ = numberType(c.Number)
	}
	args := []string{strconv.Itoa(c.Index), b2i(c.Incoming), strconv.Itoa(int(c.Stat)), strconv.Itoa(c.Mode),
		b2i(c.Multiparty), c.Number, strconv.Itoa(typ)}
	q := []bool{false, false, false, false, false, true, false}
	if c.Alpha != "" {
		args, q = append(args, c.Alpha), append(q, true)
	}
	return NewInfo("+CLCC", args, q...).String()
}

// numberType is the type of address of a number: 145 international
// ("+..."), else 129.
func numberType(n string) int {
	if strings.HasPrefix(n, "+") {
		return 145
	}
	return 129
}

// CallerID is a +CLIP or +CCWA line: who calls.
type CallerID struct {
	Number string
	Type   int
	// Alpha is the caller's name as the network or the SIM gives it.
	Alpha string
	// Validity is the CLI validity: 0 valid, 1 withheld, 2 not available;
	// -1 when not given.
	Validity int
	// Class is the +CCWA class (1 voice), -1 for +CLIP.
	Class int
}

// ParseCLIP parses "+CLIP: "number",type[,subaddr,satype[,alpha[,validity]]]".
func ParseCLIP(line string) (CallerID, error) {
	in, err := parseNamed(line, "+CLIP")
	if err != nil {
		return CallerID{}, err
	}
	id := CallerID{Number: in.Str(0), Alpha: in.Str(4), Class: -1}
	if id.Type, err = in.IntOr(1, -1); err != nil {
		return CallerID{}, err
	}
	if id.Validity, err = in.IntOr(5, -1); err != nil {
		return CallerID{}, err
	}
	return id, nil
}

// ParseCCWA parses "+CCWA: "number",type,class[,alpha[,validity]]".
func ParseCCWA(line string) (CallerID, error) {
	in, err := parseNamed(line, "+CCWA")
	if err != nil {
		return CallerID{}, err
	}
	id := CallerID{Number: in.Str(0), Alpha: in.Str(3)}
	if id.Type, err = in.IntOr(1, -1); err != nil {
		return CallerID{}, err
	}
	if id.Class, err = in.IntOr(2, -1); err != nil {
		return CallerID{}, err
	}
	if id.Validity, err = in.IntOr(4, -1); err != nil {
		return CallerID{}, err
	}
	return id, nil
}

// SIM states of +CPIN.
const (
	PINReady = "READY"
	PINSIM   = "SIM PIN"
	PUKSIM   = "SIM PUK"
)

// ParseCPIN parses "+CPIN: <code>" (READY, SIM PIN, SIM PUK, ...).
func ParseCPIN(line string) (string, error) {
	in, err := parseNamed(line, "+CPIN")
	if err != nil {
		return "", err
	}
	code := strings.ToUpper(strings.TrimSpace(in.Str(0)))
	if code == "" {
		return "", fmt.Errorf("%w: +CPIN without a code", ErrSyntax)
	}
	return code, nil
}

// Restricted SIM access (AT+CRSM) commands and the SIM's EF_ECC.
const (
	CRSMReadBinary  = 176
	CRSMReadRecord  = 178
	CRSMGetResponse = 192
	// EFECC is the file id of the emergency call codes, 6FB7.
	EFECC = 0x6FB7
)

// SIMResponse is the answer to AT+CRSM: the status words and the data.
type SIMResponse struct {
	SW1, SW2 int
	Data     []byte
}

// OK reports a normal ending (90 00, or 91 xx with a proactive command).
func (r SIMResponse) OK() bool { return r.SW1 == 0x90 || r.SW1 == 0x91 }

// ParseCRSM parses "+CRSM: sw1,sw2[,"hex"]".
func ParseCRSM(line string) (SIMResponse, error) {
	in, err := parseNamed(line, "+CRSM")
	if err != nil {
		return SIMResponse{}, err
	}
	var r SIMResponse
	if r.SW1, err = in.Int(0); err != nil {
		return SIMResponse{}, err
	}
	if r.SW2, err = in.Int(1); err != nil {
		return SIMResponse{}, err
	}
	if s := in.Str(2); s != "" {
		if r.Data, err = hex.DecodeString(s); err != nil {
			return SIMResponse{}, fmt.Errorf("%w: +CRSM data: %w", ErrSyntax, err)
		}
	}
	return r, nil
}

// bcdDigits are the extended BCD digits of TS 31.102: 0-9, A is '*',
// B is '#'; F fills an unused digit.
const bcdDigits = "0123456789*#"

// DecodeECC decodes one emergency call code: 3 bytes of BCD, low nibble
// first, F for unused digits. ok is false for an empty (all F) or
// malformed code.
func DecodeECC(b []byte) (number string, ok bool) {
	if len(b) < 3 {
		return "", false
	}
	var out []byte
	end := false
	for _, x := range b[:3] {
		for _, d := range []byte{x & 0x0f, x >> 4} {
			switch {
			case d == 0x0f:
				end = true
			case end || int(d) >= len(bcdDigits):
				return "", false // a digit after the filler, or C-E
			default:
				out = append(out, bcdDigits[d])
			}
		}
	}
	return string(out), len(out) > 0
}

// EncodeECC encodes number (1 to 6 of 0-9, '*', '#') as 3 bytes of BCD.
func EncodeECC(number string) ([3]byte, error) {
	var b [3]byte
	if number == "" || len(number) > 6 {
		return b, fmt.Errorf("%w: emergency code %q: want 1 to 6 digits", ErrSyntax, number)
	}
	for i := range 6 {
		d := byte(0x0f)
		if i < len(number) {
			k := strings.IndexByte(bcdDigits, number[i])
			if k < 0 {
				return b, fmt.Errorf("%w: emergency code %q: %q is not a digit, '*' or '#'", ErrSyntax, number, number[i])
			}
			d = byte(k)
		}
		if i%2 == 0 {
			b[i/2] = d
		} else {
			b[i/2] |= d << 4
		}
	}
	return b, nil
}

// MaxDial is the longest number DialCommand accepts.
const MaxDial = 64

// CheckDialNumber refuses a number that is not digits, '*', '#' and a
// leading '+' only, or longer than MaxDial: anything else (a ';', a
// line break, letters) could end the dial string or start another
// command on the modem.
func CheckDialNumber(number string) error {
	switch {
	case number == "":
		return fmt.Errorf("%w: the number is empty", ErrBadCommand)
	case len(number) > MaxDial:
		return fmt.Errorf("%w: the number has %d characters, at most %d", ErrBadCommand, len(number), MaxDial)
	}
	for i := 0; i < len(number); i++ {
		c := number[i]
		if c >= '0' && c <= '9' || c == '*' || c == '#' || c == '+' && i == 0 {
			continue
		}
		return fmt.Errorf("%w: %q at position %d of the number: a modem dials digits, '*', '#' and a leading '+' only",
			ErrBadCommand, c, i+1)
	}
	return nil
}

// DialCommand returns the voice dial "ATD<number>;" after CheckDialNumber.
func DialCommand(number string) (string, error) {
	if err := CheckDialNumber(number); err != nil {
		return "", err
	}
	return "ATD" + number + ";", nil
}

// ToneCommand returns "AT+VTS=<d>" for one DTMF digit (0-9, *, #, A-D).
func ToneCommand(d byte) (string, error) {
	if !strings.ContainsRune("0123456789*#ABCD", rune(d)) {
		return "", fmt.Errorf("%w: %q is no DTMF tone (0-9, *, #, A-D)", ErrBadCommand, d)
	}
	return "AT+VTS=" + string(d), nil
}

// EFInfo is what GET RESPONSE says of an elementary file: its size, and
// for a linear fixed file its records.
type EFInfo struct {
	Linear    bool // linear fixed (records); else transparent
	Size      int  // bytes in all
	RecordLen int  // bytes a record, when Linear
	Records   int  // records, when Linear
}

// ParseEFInfo reads the answer to GET RESPONSE (AT+CRSM=192): a USIM's
// FCP template (tag 62) or a GSM SIM's 15-byte response of TS 51.011.
func ParseEFInfo(data []byte) (EFInfo, error) {
	if len(data) > 0 && data[0] == 0x62 {
		return parseFCP(data)
	}
	if len(data) < 15 {
		return EFInfo{}, fmt.Errorf("%w: GET RESPONSE of %d bytes, want 15 or an FCP template", ErrSyntax, len(data))
	}
	info := EFInfo{Size: int(data[2])<<8 | int(data[3])}
	switch data[13] {
	case 0x00:
	case 0x01:
		info.Linear, info.RecordLen = true, int(data[14])
		if info.RecordLen == 0 {
			return EFInfo{}, fmt.Errorf("%w: a linear fixed file with records of 0 bytes", ErrSyntax)
		}
		info.Records = info.Size / info.RecordLen
	default:
		return EFInfo{}, fmt.Errorf("%w: file structure %#02x is neither transparent nor linear fixed", ErrSyntax, data[13])
	}
	return info, nil
}

// parseFCP reads the file descriptor (82) and file size (80) of an FCP
// template (TS 102 221).
func parseFCP(data []byte) (EFInfo, error) {
	if len(data) < 2 || int(data[1]) > len(data)-2 {
		return EFInfo{}, fmt.Errorf("%w: FCP template cut short", ErrSyntax)
	}
	body := data[2 : 2+int(data[1])]
	var info EFInfo
	descriptor := false
	for len(body) >= 2 {
		tag, n := body[0], int(body[1])
		if n > len(body)-2 {
			return EFInfo{}, fmt.Errorf("%w: FCP tag %#02x cut short", ErrSyntax, tag)
		}
		v := body[2 : 2+n]
		switch tag {
		case 0x82:
			if n < 2 {
				return EFInfo{}, fmt.Errorf("%w: FCP file descriptor of %d bytes", ErrSyntax, n)
			}
			descriptor = true
			switch v[0] & 0x07 {
			case 0x01:
			case 0x02:
				if n < 5 {
					return EFInfo{}, fmt.Errorf("%w: FCP descriptor of a linear fixed file without its records", ErrSyntax)
				}
				info.Linear, info.RecordLen, info.Records = true, int(v[2])<<8|int(v[3]), int(v[4])
				if info.RecordLen == 0 {
					return EFInfo{}, fmt.Errorf("%w: a linear fixed file with records of 0 bytes", ErrSyntax)
				}
			default:
				return EFInfo{}, fmt.Errorf("%w: file structure %#02x is neither transparent nor linear fixed", ErrSyntax, v[0]&0x07)
			}
		case 0x80:
			for _, b := range v {
				info.Size = info.Size<<8 | int(b)
			}
		}
		body = body[2+n:]
	}
	if !descriptor {
		return EFInfo{}, fmt.Errorf("%w: FCP template without a file descriptor", ErrSyntax)
	}
	if info.Linear && info.Size == 0 {
		info.Size = info.RecordLen * info.Records
	}
	return info, nil
}
