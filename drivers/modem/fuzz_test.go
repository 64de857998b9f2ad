package modem_test

import (
	"testing"

	"github.com/ringo-phone/ringo/drivers/modem"
)

// seeds are result lines as modems send them (27.007 and a Quectel
// EG25-G's), good and broken.
var seeds = []string{
	`+CLCC: 1,0,0,0,0,"600",129`, `+CLCC: 2,1,5,0,0,"+4930123",145,"Alice"`, `+CREG: 1`,
	`+CREG: 2,5,"00C3","0A1B2C",7`, `+COPS: 0,0,"Ringo Mobile",7`,
	`+COPS: (2,"Ringo Mobile","Ringo","00101",7),(1,"Other","Oth","00102",0),,(0-4),(0-2)`,
	`+CLIP: "5551234",129,"",,"Alice",0`, `+CCWA: "5559876",129,1,"Bob"`, `+CPIN: SIM PUK`,
	`+CRSM: 144,0,"11F2FF19F9FF"`, `+CME ERROR: 16`, `RING`, `NO CARRIER`, `+QIND: "csq",20,99`,
	`+CLIP: "555`, `+COPS: ((1,2)`, `+X: "a"b`, `+CLCC: 1,0,9`, "", ":", "+:", `+CRSM: 144,0,"1"`,
}

func FuzzParseInfo(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		in, err := modem.ParseInfo(line)
		if err != nil {
			return
		}
		again, err := modem.ParseInfo(in.String())
		if err != nil {
			t.Fatalf("ParseInfo(%q).String() = %q does not parse: %v", line, in.String(), err)
		}
		if again.String() != in.String() || again.Len() != in.Len() {
			t.Fatalf("round trip of %q: %q, want %q", line, again.String(), in.String())
		}
		for i := range in.Len() {
			if again.Str(i) != in.Str(i) || again.Quoted(i) != in.Quoted(i) {
				t.Fatalf("round trip of %q: argument %d %q (quoted %v), want %q (%v)",
					line, i, again.Str(i), again.Quoted(i), in.Str(i), in.Quoted(i))
			}
			if g, err := in.Group(i); err == nil && g.Len() == 0 && in.Str(i) != "()" {
				t.Fatalf("Group(%d) of %q is empty", i, in.Str(i))
			}
		}
	})
}

// FuzzResultParsers runs every typed parser on the line: none may panic,
// and what parses writes back (+CLCC) or decodes consistently (EF_ECC).
func FuzzResultParsers(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		modem.ParseCREG(line, false)
		modem.ParseCREG(line, true)
		modem.ParseCOPS(line)
		modem.ParseOperators(line)
		modem.ParseCLIP(line)
		modem.ParseCCWA(line)
		modem.ParseCPIN(line)
		if c, err := modem.ParseCLCC(line); err == nil && !containsQuote(c) {
			back, err := modem.ParseCLCC(c.Line())
			if err != nil || back.Index != c.Index || back.Stat != c.Stat || back.Number != c.Number || back.Alpha != c.Alpha {
				t.Fatalf("+CLCC %q: Line() = %q parses as %+v, %v", line, c.Line(), back, err)
			}
		}
		if r, err := modem.ParseCRSM(line); err == nil {
			for i := 0; i+3 <= len(r.Data); i += 3 {
				if n, ok := modem.DecodeECC(r.Data[i : i+3]); ok {
					b, err := modem.EncodeECC(n)
					if err != nil || string(b[:]) != string(r.Data[i:i+3]) {
						t.Fatalf("EF_ECC % x decodes to %q, which encodes to % x, %v", r.Data[i:i+3], n, b, err)
					}
				}
			}
		}
	})
}

func containsQuote(c modem.ListedCall) bool {
	for _, s := range []string{c.Number, c.Alpha} {
		for i := 0; i < len(s); i++ {
			if s[i] == '"' {
				return true
			}
		}
	}
	return false
}

func BenchmarkParseCLCC(b *testing.B) {
	for b.Loop() {
		if _, err := modem.ParseCLCC(`+CLCC: 2,1,5,0,0,"+4930123",145,"Alice"`); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzParseEFInfo: any GET RESPONSE parses or errs, never panics, and
// what parses has no negative sizes and records of at least one byte.
func FuzzParseEFInfo(f *testing.F) {
	f.Add([]byte{0x62, 0x0b, 0x82, 0x05, 0x42, 0x21, 0x00, 0x04, 0x05, 0x80, 0x02, 0x00, 0x14})
	f.Add([]byte{0, 0, 0, 15, 0x6f, 0xb7, 4, 0, 0, 0, 0, 0, 0, 1, 4})
	f.Fuzz(func(t *testing.T, data []byte) {
		info, err := modem.ParseEFInfo(data)
		if err != nil {
			return
		}
		if info.Size < 0 || info.Records < 0 || info.Linear && info.RecordLen < 1 {
			t.Fatalf("ParseEFInfo(% x) = %+v", data, info)
		}
	})
}
