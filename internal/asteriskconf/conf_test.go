package asteriskconf

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseHandWritten(t *testing.T) {
	in := `; written by hand
[Registration]
Server = pbx.example.org
Port = 4570
UserId = handset1
Password = s3cret;with#chars
AutoRegister = false
Refresh = 120
EmergencyCapable = yes

[CallerId]
Name = Handset One
Number = +201
`
	s, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := Settings{Server: "pbx.example.org", Port: 4570, UserID: "handset1", Password: "s3cret;with#chars",
		AutoRegister: false, Refresh: 120, EmergencyCapable: true, CallerIDName: "Handset One", CallerIDNumber: "+201"}
	if s != want {
		t.Errorf("Parse = %+v\nwant %+v", s, want)
	}
}

func TestDefaults(t *testing.T) {
	s, err := Parse([]byte("[Registration]\nServer = 10.0.2.2\nUserId = u\n"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Port != 4569 || s.Refresh != 60 || !s.AutoRegister || s.EmergencyCapable {
		t.Errorf("defaults = %+v", s)
	}
	if s.Address() != "10.0.2.2:4569" {
		t.Errorf("Address = %q", s.Address())
	}
	if e, _ := Parse(nil); e.Configured() {
		t.Error("an empty file is configured")
	}
}

func TestInvalid(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"[Registration]\nPort = abc\n", "Port = \"abc\" is not a number"},
		{"[Registration]\nPort = 70000\n", "Port 70000 is not between 1 and 65535"},
		{"[Registration]\nRefresh = 1\n", "Refresh 1 s is not between 10 and 3600"},
		{"[Registration]\nAutoRegister = maybe\n", "AutoRegister = \"maybe\" is not true or false"},
		{"[Registration]\nServer = bad_host!\nUserId = u\n", `Server "bad_host!" is not a host name`},
		{"[Registration]\nServer = pbx\n", "UserId is empty but a server is set"},
		{"[Registration]\nServer = pbx\nUserId = a@b\n", `UserId "a@b" contains`},
		{"[CallerId]\nNumber = 12a\n", `CallerId Number "12a" may hold only digits`},
		{"[CallerId]\nName = " + strings.Repeat("x", 65) + "\n", "CallerId Name is 65 bytes long, at most 64"},
	} {
		_, err := Parse([]byte(tc.in))
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q) = %v, want ErrInvalid with %q", tc.in, err, tc.want)
		}
	}
}

func TestPasswordNeverInErrorsOrString(t *testing.T) {
	s := Default()
	s.Server, s.UserID, s.Password = "pbx", "u", "top\x01secret"
	err := s.Validate()
	if err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("Validate = %v; want an error that does not show the password", err)
	}
	s.Password = "topsecret"
	if strings.Contains(s.String(), "topsecret") {
		t.Errorf("String() shows the password: %s", s)
	}
}

func TestParseServer(t *testing.T) {
	for _, tc := range []struct {
		in   string
		host string
		port int
		ok   bool
	}{
		{"pbx.example.org", "pbx.example.org", 4569, true},
		{"127.0.0.1:4570", "127.0.0.1", 4570, true},
		{"[::1]:4570", "::1", 4570, true},
		{"::1", "::1", 4569, true},
		{"pbx:0", "", 0, false},
		{"pbx:x", "", 0, false},
		{"[::1", "", 0, false},
		{"bad host", "", 0, false},
	} {
		h, p, err := ParseServer(tc.in)
		if (err == nil) != tc.ok || (tc.ok && (h != tc.host || p != tc.port)) {
			t.Errorf("ParseServer(%q) = %q, %d, %v", tc.in, h, p, err)
		}
	}
}

func TestSaveLoadRoundTripAndMode(t *testing.T) {
	dir := t.TempDir()
	if _, err := Load(dir); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Load(empty dir) = %v, want ErrNotFound", err)
	}
	s := Settings{Server: "::1", Port: 4570, UserID: "handset1", Password: "p a=ss", AutoRegister: true,
		Refresh: 30, CallerIDName: "Hand Set", CallerIDNumber: "201"}
	if err := Save(dir, s); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(Path(dir))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode = %v, %v; want 0600", fi.Mode(), err)
	}
	got, err := Load(dir)
	if err != nil || got != s {
		t.Errorf("Load = %+v, %v\nwant %+v", got, err, s)
	}
	if got.Address() != "[::1]:4570" {
		t.Errorf("Address = %q", got.Address())
	}
	// Nothing left behind by the atomic write.
	left, _ := filepath.Glob(filepath.Join(dir, ".*"))
	if len(left) != 0 {
		t.Errorf("temporary files left: %q", left)
	}
	// A file others can read is refused.
	os.Chmod(Path(dir), 0o644)
	if _, err := Load(dir); !errors.Is(err, ErrInsecure) {
		t.Errorf("Load(0644) = %v, want ErrInsecure", err)
	}
	// An invalid value is not written.
	s.Port = 0
	os.Chmod(Path(dir), 0o600)
	if err := Save(dir, s); !errors.Is(err, ErrInvalid) {
		t.Errorf("Save(port 0) = %v", err)
	}
	if got, _ := Load(dir); got.Port != 4570 {
		t.Errorf("a failed Save changed the file: port %d", got.Port)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("[Registration]\nServer = pbx\nUserId = u\nPassword = p\n[CallerId]\nNumber = 1\n"))
	f.Add([]byte("[Registration]\nPort = 99999\n"))
	f.Add([]byte("[Registration]\nServer = pbx\nUserId = u\nPassword = p\nEncryption = Required\n"))
	f.Add([]byte("[Registration]\nEncryption = aes256\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := Parse(b)
		if err != nil {
			return
		}
		// What parses and validates survives a round trip.
		again, err := Parse(s.Marshal())
		if err != nil || again != s {
			t.Fatalf("round trip: %+v -> %+v, %v", s, again, err)
		}
	})
}

func TestSecretsWithSpacesAndQuotesSurvive(t *testing.T) {
	for _, pw := range []string{" lead", "trail ", `q"uote`, "semi;colon", "hash#", "back`tick", `"""`} {
		dir := t.TempDir()
		s := Default()
		s.Server, s.UserID, s.Password = "pbx", "u", pw
		if err := Save(dir, s); err != nil {
			t.Fatalf("Save(%q) = %v", pw, err)
		}
		got, err := Load(dir)
		if err != nil || got.Password != pw {
			t.Errorf("password %q came back as %q, %v", pw, got.Password, err)
		}
	}
}
