package telephony

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckNumber(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // "" for accepted
	}{
		{"600", ""},
		{"+44 20 7946 0000", ""},
		{"sip:desk@pbx", ""},
		{"", "bad number: the number is empty"},
		{"   ", "bad number: the number is empty"},
		{strings.Repeat("1", 65), "bad number: 65 characters, at most 64"},
		{strings.Repeat("1", 70000), "bad number: 70000 characters, at most 64"},
		{"60\x1b[2J0", `bad number: control character '\x1b' at position 3`},
		{"6\n00", `bad number: control character '\n' at position 2`},
		{"\xff600", "bad number: not UTF-8 text"},
	} {
		err := CheckNumber(tc.in)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("CheckNumber(%.20q) = %v, want accepted", tc.in, err)
		case tc.want != "" && (err == nil || err.Error() != tc.want || !errors.Is(err, ErrBadNumber)):
			t.Errorf("CheckNumber(%.20q) = %v, want %s", tc.in, err, tc.want)
		}
	}
}

func TestCheckTones(t *testing.T) {
	if err := CheckTones("123*#ABCD"); err != nil {
		t.Errorf("CheckTones(valid) = %v", err)
	}
	for in, want := range map[string]string{
		"":                         "bad tones: no tones",
		strings.Repeat("1", 10240): "bad tones: 10240 tones, at most 32 per request",
		"12x":                      `bad tones: 'x' at position 3 is no DTMF tone (0-9, *, #, A-D)`,
	} {
		if err := CheckTones(in); err == nil || err.Error() != want || !errors.Is(err, ErrBadTones) {
			t.Errorf("CheckTones(%.20q) = %v, want %s", in, err, want)
		}
	}
}

func TestPrintable(t *testing.T) {
	for _, tc := range []struct {
		in   string
		max  int
		want string
	}{
		{"Desk phone", 0, "Desk phone"},
		{"Zoë Ångström", 0, "Zoë Ångström"},
		{"\x1b]0;PWNED\a\x1b[2J", 0, `\x1b]0;PWNED\a\x1b[2J`},
		{"a\tb\r\n", 0, `a\tb\r\n`},
		{"bad\xffbyte", 0, `bad\xffbyte`},
		{"abcdef", 3, "abc…"},
		{"abc", 3, "abc"},
	} {
		if got := Printable(tc.in, tc.max); got != tc.want {
			t.Errorf("Printable(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
		}
	}
}

func FuzzPrintable(f *testing.F) {
	for _, s := range []string{"", "600", "\x1b[2J", "\xff\xfe", "Zoë"} {
		f.Add(s, 8)
	}
	f.Fuzz(func(t *testing.T, s string, max int) {
		out := Printable(s, max%100)
		for _, r := range out {
			if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
				t.Fatalf("Printable(%q) = %q keeps control character %U", s, out, r)
			}
		}
	})
}
