package modem_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/ringo-phone/ringo/drivers/modem"
)

func TestParseInfo(t *testing.T) {
	in, err := modem.ParseInfo(`+CLCC: 1,0,2,0,0,"+49 30, 1",145,"Bob"`)
	if err != nil {
		t.Fatal(err)
	}
	if in.Name != "+CLCC" || in.Len() != 8 || in.Str(5) != "+49 30, 1" || !in.Quoted(5) || in.Quoted(6) {
		t.Errorf("ParseInfo = %q %d args %q", in.Name, in.Len(), in.String())
	}
	for _, bad := range []string{`+CLIP: "555`, `+COPS: (1,"a"`, `+X: "a"b`} {
		if _, err := modem.ParseInfo(bad); !errors.Is(err, modem.ErrSyntax) {
			t.Errorf("ParseInfo(%q) = %v, want ErrSyntax", bad, err)
		}
	}
	if in, _ := modem.ParseInfo("NO CARRIER"); in.Name != "NO CARRIER" || in.Len() != 0 {
		t.Errorf("ParseInfo(NO CARRIER) = %q with %d args", in.Name, in.Len())
	}
}

func TestParseCREG(t *testing.T) {
	for _, tc := range []struct {
		line  string
		query bool
		want  modem.RegStat
		lac   string
	}{
		{"+CREG: 1", false, modem.RegHome, ""},
		{`+CREG: 5,"00C3","0A1B2C",7`, false, modem.RegRoaming, "00C3"},
		{"+CREG: 0,2", true, modem.RegSearching, ""},
		{`+CREG: 2,3,"1","2"`, true, modem.RegDenied, "1"},
		{"+CEREG: 9", false, modem.RegUnknown, ""},
	} {
		r, err := modem.ParseCREG(tc.line, tc.query)
		if err != nil || r.Stat != tc.want || r.LAC != tc.lac {
			t.Errorf("ParseCREG(%q, %v) = %+v, %v; want %v", tc.line, tc.query, r, err, tc.want)
		}
	}
	if _, err := modem.ParseCREG("+COPS: 0", false); !errors.Is(err, modem.ErrSyntax) {
		t.Errorf("ParseCREG of +COPS: %v, want ErrSyntax", err)
	}
}

func TestParseCOPS(t *testing.T) {
	op, err := modem.ParseCOPS(`+COPS: 0,0,"Ringo Mobile",7`)
	if err != nil || op.Mode != 0 || op.Name != "Ringo Mobile" || op.AcT != 7 {
		t.Errorf("ParseCOPS = %+v, %v", op, err)
	}
	if op, err := modem.ParseCOPS("+COPS: 2"); err != nil || op.Mode != 2 || op.Format != -1 {
		t.Errorf("ParseCOPS(+COPS: 2) = %+v, %v", op, err)
	}
	ops, err := modem.ParseOperators(`+COPS: (2,"Ringo Mobile","Ringo","00101",7),(3,"Other (Forbidden)","Oth","00102",0),,(0,1,2,3,4),(0,1,2)`)
	if err != nil {
		t.Fatal(err)
	}
	want := []modem.Operator{
		{Stat: modem.OperatorCurrent, Long: "Ringo Mobile", Short: "Ringo", Num: "00101", AcT: 7},
		{Stat: modem.OperatorForbidden, Long: "Other (Forbidden)", Short: "Oth", Num: "00102", AcT: 0},
	}
	if !slices.Equal(ops, want) {
		t.Errorf("ParseOperators = %+v, want %+v", ops, want)
	}
}

func TestParseCLCCRoundTrip(t *testing.T) {
	c := modem.ListedCall{Index: 2, Incoming: true, Stat: modem.CallWaiting, Number: "+4930123", Type: -1, Alpha: "Alice"}
	line := c.Line()
	if line != `+CLCC: 2,1,5,0,0,"+4930123",145,"Alice"` {
		t.Errorf("Line = %s", line)
	}
	got, err := modem.ParseCLCC(line)
	c.Type = 145
	if err != nil || got != c {
		t.Errorf("ParseCLCC(%s) = %+v, %v; want %+v", line, got, err, c)
	}
	if _, err := modem.ParseCLCC("+CLCC: 1,0,9,0,0"); !errors.Is(err, modem.ErrSyntax) {
		t.Errorf("state 9: %v, want ErrSyntax", err)
	}
}

func TestParseCLIPAndCCWA(t *testing.T) {
	id, err := modem.ParseCLIP(`+CLIP: "5551234",129,"",,"Alice",0`)
	if err != nil || id.Number != "5551234" || id.Alpha != "Alice" || id.Validity != 0 {
		t.Errorf("ParseCLIP = %+v, %v", id, err)
	}
	id, err = modem.ParseCCWA(`+CCWA: "5559876",129,1,"Bob"`)
	if err != nil || id.Number != "5559876" || id.Alpha != "Bob" || id.Class != 1 {
		t.Errorf("ParseCCWA = %+v, %v", id, err)
	}
}

func TestParseCPINAndCRSM(t *testing.T) {
	if code, err := modem.ParseCPIN("+CPIN: SIM PIN"); err != nil || code != modem.PINSIM {
		t.Errorf("ParseCPIN = %q, %v", code, err)
	}
	r, err := modem.ParseCRSM(`+CRSM: 144,0,"11F2FF19F9FF"`)
	if err != nil || !r.OK() || len(r.Data) != 6 {
		t.Fatalf("ParseCRSM = %+v, %v", r, err)
	}
	var got []string
	for i := 0; i+3 <= len(r.Data); i += 3 {
		if n, ok := modem.DecodeECC(r.Data[i : i+3]); ok {
			got = append(got, n)
		}
	}
	if !slices.Equal(got, []string{"112", "919"}) {
		t.Errorf("EF_ECC = %q, want 112 919", got)
	}
	if _, ok := modem.DecodeECC([]byte{0xff, 0xff, 0xff}); ok {
		t.Error("an empty code decodes")
	}
	if b, err := modem.EncodeECC("112"); err != nil || b != [3]byte{0x11, 0xf2, 0xff} {
		t.Errorf("EncodeECC(112) = % x, %v", b, err)
	}
}

func TestDialCommand(t *testing.T) {
	if cmd, err := modem.DialCommand("+49301234*#"); err != nil || cmd != "ATD+49301234*#;" {
		t.Errorf("DialCommand = %q, %v", cmd, err)
	}
	for _, bad := range []string{"", "600;+CFUN=0", "600\r+CFUN=0", "12+3", "600p1", "1 2"} {
		if cmd, err := modem.DialCommand(bad); !errors.Is(err, modem.ErrBadCommand) {
			t.Errorf("DialCommand(%q) = %q, %v; want ErrBadCommand", bad, cmd, err)
		}
	}
	if _, err := modem.ToneCommand(';'); !errors.Is(err, modem.ErrBadCommand) {
		t.Errorf("ToneCommand(';') = %v, want ErrBadCommand", err)
	}
}

func TestParseEFInfo(t *testing.T) {
	gsm := make([]byte, 15)
	gsm[3], gsm[13] = 15, 0x00
	lin := make([]byte, 15)
	lin[3], lin[13], lin[14] = 12, 0x01, 4
	tests := []struct {
		name string
		data []byte
		want modem.EFInfo
	}{
		{"GSM transparent", gsm, modem.EFInfo{Size: 15}},
		{"GSM linear", lin, modem.EFInfo{Linear: true, Size: 12, RecordLen: 4, Records: 3}},
		{"FCP linear", []byte{0x62, 0x0b, 0x82, 0x05, 0x42, 0x21, 0x00, 0x04, 0x05, 0x80, 0x02, 0x00, 0x14}, modem.EFInfo{Linear: true, Size: 20, RecordLen: 4, Records: 5}},
		{"FCP transparent", []byte{0x62, 0x08, 0x82, 0x02, 0x41, 0x21, 0x80, 0x02, 0x00, 0x0f}, modem.EFInfo{Size: 15}},
	}
	for _, tt := range tests {
		got, err := modem.ParseEFInfo(tt.data)
		if err != nil || got != tt.want {
			t.Errorf("%s: ParseEFInfo = %+v, %v; want %+v", tt.name, got, err, tt.want)
		}
	}
	for _, bad := range [][]byte{nil, {1, 2, 3}, {0x62, 0x05, 0x82}, {0x62, 0x02, 0x80, 0x00}, append(slices.Clone(lin[:14]), 0)} {
		if _, err := modem.ParseEFInfo(bad); !errors.Is(err, modem.ErrSyntax) {
			t.Errorf("ParseEFInfo(% x) error = %v, want ErrSyntax", bad, err)
		}
	}
}
