package policy

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestDefaultConfig(t *testing.T) {
	c := DefaultConfig()
	if want := []string{"modem", "asterisk"}; !slices.Equal(c.Priority, want) {
		t.Errorf("Priority = %q, want %q", c.Priority, want)
	}
	if want := []string{"112", "911", "08", "000", "999", "110", "118", "119"}; !slices.Equal(c.Emergency.List(), want) {
		t.Errorf("Emergency = %q, want %q", c.Emergency.List(), want)
	}
	for _, n := range []string{"0", "11", "1122", "+112", "911 "} {
		if got := c.Emergency.Contains(n); got != (n == "911 ") {
			t.Errorf("Contains(%q) = %v", n, got)
		}
	}
}

func TestParseConfig(t *testing.T) {
	tests := []struct {
		name, text string
		priority   []string
		emergency  []string
	}{
		{"empty file", "", []string{"modem", "asterisk"}, defaultEmergency},
		{"other sections only", "[Other]\nX=1\n", []string{"modem", "asterisk"}, defaultEmergency},
		{"priority only", "[Policy]\nPriority = asterisk ,modem\n", []string{"asterisk", "modem"}, defaultEmergency},
		{"empty priority", "[Policy]\nPriority =\n", []string{}, defaultEmergency},
		{"numbers only", "[Policy]\nEmergencyNumbers=112,*31#, +1 (555)\n", []string{"modem", "asterisk"}, []string{"112", "*31#", "+1555"}},
		{"comments", "; policy\n# more\n[Policy]\nPriority = modem\n", []string{"modem"}, defaultEmergency},
	}
	for _, tt := range tests {
		c, err := ParseConfig([]byte(tt.text))
		if err != nil {
			t.Errorf("%s: ParseConfig error %v", tt.name, err)
			continue
		}
		if !slices.Equal(c.Priority, tt.priority) || !slices.Equal(c.Emergency.List(), tt.emergency) {
			t.Errorf("%s: ParseConfig = %q %q, want %q %q", tt.name, c.Priority, c.Emergency.List(), tt.priority, tt.emergency)
		}
	}
}

func TestParseConfigErrors(t *testing.T) {
	tests := []struct {
		text    string
		wantErr error
		wantMsg string // part of the message
	}{
		{"[Policy]\nPriority = modem,,asterisk\n", ErrBadConfig, `Priority "modem,,asterisk" has an empty entry`},
		{"[Policy]\nPriority = modem, modem\n", ErrBadConfig, `Priority lists "modem" twice`},
		{"[Policy]\nPriority = mo dem\n", ErrBadConfig, `Priority entry "mo dem" is not a service name (bad character " ")`},
		{"[Policy]\nPriority = modem ; comment\n", ErrBadConfig, `bad character " "`},
		{"[Policy]\nEmergencyNumbers =\n", ErrBadConfig, "EmergencyNumbers is empty"},
		{"[Policy]\nEmergencyNumbers = 112, abc\n", ErrBadNumber, `"abc" contains 'a'`},
		{"[Policy]\nEmergencyNumbers = 112, 1 12\n", ErrBadNumber, `"1 12" listed twice`},
		{"[Policy]\nEmergencyNumbers = 112,,911\n", ErrBadNumber, `empty entry ""`},
		{"[Policy]\nEmergencyNumber = 112\n", ErrBadConfig, `unknown key "EmergencyNumber" in [Policy]`},
		{"[Policy\nPriority = modem\n", ErrBadConfig, "unclosed section"},
	}
	for _, tt := range tests {
		_, err := ParseConfig([]byte(tt.text))
		if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.wantMsg) {
			t.Errorf("ParseConfig(%q) error = %v, want %v containing %q", tt.text, err, tt.wantErr, tt.wantMsg)
		}
	}
}

func TestLoadConfig(t *testing.T) {
	dir := t.TempDir()
	c, err := LoadConfig(filepath.Join(dir, ConfigFile))
	if err != nil || !reflect.DeepEqual(c, DefaultConfig()) {
		t.Errorf("LoadConfig(missing) = %v, %v; want defaults", c, err)
	}
	path := filepath.Join(dir, ConfigFile)
	if err := os.WriteFile(path, []byte("[Policy]\nPriority = asterisk\nEmergencyNumbers = 112\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err = LoadConfig(path)
	if err != nil || !slices.Equal(c.Priority, []string{"asterisk"}) || !slices.Equal(c.Emergency.List(), []string{"112"}) {
		t.Errorf("LoadConfig = %v, %v", c, err)
	}
	if err := os.WriteFile(path, []byte("[Policy]\nPriority = a,a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadConfig(path); !errors.Is(err, ErrBadConfig) || !strings.HasPrefix(err.Error(), path+": ") {
		t.Errorf("LoadConfig(bad) error = %v, want ErrBadConfig prefixed with the path", err)
	}
	if _, err := LoadConfig(dir); err == nil {
		t.Error("LoadConfig(a directory) succeeded, want an error")
	}
}

func TestConfigFormatRoundTrip(t *testing.T) {
	em, err := NewEmergencyNumbers("112", "*31#")
	if err != nil {
		t.Fatal(err)
	}
	c := Config{Priority: []string{"asterisk", "modem", "x.y_z-1"}, Emergency: em}
	const want = "[Policy]\nPriority = asterisk, modem, x.y_z-1\nEmergencyNumbers = 112, *31#\n"
	if got := string(c.Format()); got != want {
		t.Errorf("Format() = %q, want %q", got, want)
	}
	back, err := ParseConfig(c.Format())
	if err != nil || !reflect.DeepEqual(back, c) {
		t.Errorf("ParseConfig(Format()) = %v, %v; want %v", back, err, c)
	}
}

func TestNewEmergencyNumbersEmpty(t *testing.T) {
	if _, err := NewEmergencyNumbers(); !errors.Is(err, ErrBadNumber) {
		t.Errorf("NewEmergencyNumbers() error = %v, want ErrBadNumber", err)
	}
}

// FuzzParseConfig: never panics; whatever parses formats and parses back to
// the same configuration, and every accepted value obeys the documented
// rules.
func FuzzParseConfig(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*.conf"))
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("[Policy]\nPriority = modem,,x\n"))
	f.Add([]byte("[Policy]\nEmergencyNumbers = \"112\"\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseConfig(b)
		if err != nil {
			return
		}
		if len(c.Emergency.List()) == 0 {
			t.Fatalf("ParseConfig(%q) accepted an empty emergency list", b)
		}
		for _, n := range c.Emergency.List() {
			if n == "" || strings.IndexFunc(n, func(r rune) bool { return !isDialChar(r) }) >= 0 {
				t.Fatalf("ParseConfig(%q) accepted emergency number %q", b, n)
			}
		}
		back, err := ParseConfig(c.Format())
		if err != nil || !reflect.DeepEqual(back, c) {
			t.Fatalf("ParseConfig(Format(%v)) = %v, %v", c, back, err)
		}
	})
}
