package asteriskconf

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"gopkg.in/ini.v1"
)

// FileName is the file's name in the config directory.
const FileName = "Asterisk.conf"

// Defaults (ARCHITECTURE.md, Configuration).
const (
	DefaultPort    = 4569
	DefaultRefresh = 60
	MinRefresh     = 10
	MaxRefresh     = 3600
	maxField       = 64
	maxPassword    = 128
)

// Settings is the content of Asterisk.conf.
type Settings struct {
	Server           string // host name or IP address; empty: no server configured
	Port             int
	UserID           string
	Password         string
	AutoRegister     bool
	Refresh          int // seconds
	EmergencyCapable bool
	CallerIDName     string
	CallerIDNumber   string
	// Encryption is [Registration] Encryption: AES-128 for the calls
	// the handset places (the zero value, EncryptionNo, when absent).
	Encryption Encryption
}

// Encryption is the Encryption key's value. The zero value is "no", so
// files written before the key existed mean what they always meant.
type Encryption string

// Encryption settings.
const (
	// EncryptionNo offers none (a server that asks still gets it).
	EncryptionNo Encryption = ""
	// EncryptionAES128 offers AES-128 and encrypts when the server agrees.
	EncryptionAES128 Encryption = "aes128"
	// EncryptionRequired offers it and refuses a call the server will not
	// encrypt.
	EncryptionRequired Encryption = "required"
)

func (e Encryption) String() string {
	if e == EncryptionNo {
		return "no"
	}
	return string(e)
}

// ParseEncryption reads aes128, required or no (also "" and off), in any
// case.
func ParseEncryption(v string) (Encryption, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "no", "off":
		return EncryptionNo, nil
	case "aes128":
		return EncryptionAES128, nil
	case "required":
		return EncryptionRequired, nil
	}
	return EncryptionNo, fmt.Errorf("%w: Encryption = %q is not aes128, required or no", ErrInvalid, v)
}

// Default is what a missing key means.
func Default() Settings {
	return Settings{Port: DefaultPort, Refresh: DefaultRefresh, AutoRegister: true}
}

// Configured reports whether a server is configured (the service checker's
// "valid").
func (s Settings) Configured() bool { return s.Server != "" }

// Address is Server:Port, bracketing an IPv6 address.
func (s Settings) Address() string {
	if a, err := netip.ParseAddr(s.Server); err == nil && a.Is6() {
		return fmt.Sprintf("[%s]:%d", s.Server, s.Port)
	}
	return fmt.Sprintf("%s:%d", s.Server, s.Port)
}

// String describes the settings without the password.
func (s Settings) String() string {
	pw := "none"
	if s.Password != "" {
		pw = "set"
	}
	return fmt.Sprintf("server=%s port=%d user=%s password=%s auto=%t refresh=%ds emergency=%t encryption=%v callerid=%q <%s>",
		s.Server, s.Port, s.UserID, pw, s.AutoRegister, s.Refresh, s.EmergencyCapable, s.Encryption, s.CallerIDName, s.CallerIDNumber)
}

// Path is Asterisk.conf's path in a config directory.
func Path(configDir string) string { return filepath.Join(configDir, FileName) }

// Load reads and checks <configDir>/Asterisk.conf. A missing file is
// ErrNotFound (callers usually treat it as Default, not configured).
func Load(configDir string) (Settings, error) {
	p := Path(configDir)
	fi, err := os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return Default(), fmt.Errorf("%w: %s", ErrNotFound, p)
	}
	if err != nil {
		return Default(), err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return Default(), fmt.Errorf("%w: %s has mode %04o, want 0600 (chmod 600 %s)", ErrInsecure, p, fi.Mode().Perm(), p)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return Default(), err
	}
	return Parse(b)
}

// Parse reads Asterisk.conf's text and checks every value.
func Parse(b []byte) (Settings, error) {
	f, err := ini.LoadSources(ini.LoadOptions{Insensitive: false, IgnoreInlineComment: true}, b)
	if err != nil {
		return Default(), fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	s := Default()
	reg, cid := f.Section("Registration"), f.Section("CallerId")
	s.Server = strings.TrimSpace(reg.Key("Server").String())
	s.UserID = reg.Key("UserId").String()
	s.Password = reg.Key("Password").String()
	s.CallerIDName = cid.Key("Name").String()
	s.CallerIDNumber = cid.Key("Number").String()
	var errs []error
	intKey := func(sec *ini.Section, key string, dst *int) {
		if !sec.HasKey(key) {
			return
		}
		v, err := strconv.Atoi(strings.TrimSpace(sec.Key(key).String()))
		if err != nil {
			errs = append(errs, fmt.Errorf("%w: [%s] %s = %q is not a number", ErrInvalid, sec.Name(), key, sec.Key(key).String()))
			return
		}
		*dst = v
	}
	boolKey := func(sec *ini.Section, key string, dst *bool) {
		if !sec.HasKey(key) {
			return
		}
		v, err := parseBool(sec.Key(key).String())
		if err != nil {
			errs = append(errs, fmt.Errorf("%w: [%s] %s = %q is not true or false", ErrInvalid, sec.Name(), key, sec.Key(key).String()))
			return
		}
		*dst = v
	}
	intKey(reg, "Port", &s.Port)
	intKey(reg, "Refresh", &s.Refresh)
	boolKey(reg, "AutoRegister", &s.AutoRegister)
	boolKey(reg, "EmergencyCapable", &s.EmergencyCapable)
	if reg.HasKey("Encryption") {
		e, err := ParseEncryption(reg.Key("Encryption").String())
		if err != nil {
			errs = append(errs, fmt.Errorf("[Registration] %w", err))
		}
		s.Encryption = e
	}
	if err := errors.Join(errs...); err != nil {
		return s, err
	}
	return s, s.Validate()
}

// parseBool takes QSettings' spellings as well as Go's.
func parseBool(v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "true", "yes", "on":
		return true, nil
	case "0", "false", "no", "off":
		return false, nil
	}
	return false, strconv.ErrSyntax
}

// Validate checks every field and says which one is wrong.
func (s Settings) Validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...))
	}
	if s.Server != "" {
		if err := ValidateHost(s.Server); err != nil {
			errs = append(errs, err)
		}
	}
	if s.Port < 1 || s.Port > 65535 {
		bad("Port %d is not between 1 and 65535", s.Port)
	}
	if s.Refresh < MinRefresh || s.Refresh > MaxRefresh {
		bad("Refresh %d s is not between %d and %d", s.Refresh, MinRefresh, MaxRefresh)
	}
	if s.Server != "" && s.UserID == "" {
		bad("UserId is empty but a server is set")
	}
	checkText := func(name, v string, max int) {
		if !utf8.ValidString(v) {
			bad("%s is not valid UTF-8", name)
		} else if len(v) > max {
			bad("%s is %d bytes long, at most %d", name, len(v), max)
		} else if strings.IndexFunc(v, unicode.IsControl) >= 0 {
			bad("%s contains a control character", name)
		}
	}
	checkText("UserId", s.UserID, maxField)
	if strings.ContainsAny(s.UserID, " @:/") {
		bad("UserId %q contains a space, '@', ':' or '/'", s.UserID)
	}
	// Never echo the password back, not even in an error.
	checkText("Password", s.Password, maxPassword)
	checkText("CallerId Name", s.CallerIDName, maxField)
	checkText("CallerId Number", s.CallerIDNumber, maxField)
	if strings.Trim(s.CallerIDNumber, "0123456789+*#") != "" {
		bad("CallerId Number %q may hold only digits, '+', '*' and '#'", s.CallerIDNumber)
	}
	switch s.Encryption {
	case EncryptionNo, EncryptionAES128, EncryptionRequired:
	default:
		bad("Encryption %q is not aes128, required or no", string(s.Encryption))
	}
	if s.Encryption == EncryptionRequired && s.Server != "" && s.Password == "" {
		bad("Encryption is required but there is no Password: the key is made from it")
	}
	return errors.Join(errs...)
}

// ValidateHost checks a host name or IP address (no port).
func ValidateHost(h string) error {
	if _, err := netip.ParseAddr(h); err == nil {
		return nil
	}
	if len(h) > 253 || h == "" {
		return fmt.Errorf("%w: Server %q is not a host name", ErrInvalid, h)
	}
	for _, label := range strings.Split(strings.TrimSuffix(h, "."), ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return fmt.Errorf("%w: Server %q is not a host name", ErrInvalid, h)
		}
		for _, r := range label {
			if !(r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
				return fmt.Errorf("%w: Server %q is not a host name (character %q)", ErrInvalid, h, r)
			}
		}
	}
	return nil
}

// ParseServer splits HOST[:PORT] (IPv6 in brackets when a port follows).
func ParseServer(v string) (host string, port int, err error) {
	port = DefaultPort
	host = v
	if strings.HasPrefix(v, "[") {
		end := strings.Index(v, "]")
		if end < 0 {
			return "", 0, fmt.Errorf("%w: server %q: missing ']'", ErrInvalid, v)
		}
		host = v[1:end]
		rest := v[end+1:]
		if rest != "" {
			if !strings.HasPrefix(rest, ":") {
				return "", 0, fmt.Errorf("%w: server %q: junk after ']'", ErrInvalid, v)
			}
			if port, err = parsePort(rest[1:]); err != nil {
				return "", 0, err
			}
		}
	} else if strings.Count(v, ":") == 1 {
		h, p, _ := strings.Cut(v, ":")
		host = h
		if port, err = parsePort(p); err != nil {
			return "", 0, err
		}
	}
	return host, port, ValidateHost(host)
}

func parsePort(p string) (int, error) {
	n, err := strconv.Atoi(p)
	if err != nil || n < 1 || n > 65535 {
		return 0, fmt.Errorf("%w: port %q is not between 1 and 65535", ErrInvalid, p)
	}
	return n, nil
}

// Marshal renders the settings as Asterisk.conf's text.
func (s Settings) Marshal() []byte {
	f := ini.Empty()
	reg, _ := f.NewSection("Registration")
	reg.NewKey("Server", s.Server)
	reg.NewKey("Port", strconv.Itoa(s.Port))
	reg.NewKey("UserId", s.UserID)
	reg.NewKey("Password", s.Password)
	reg.NewKey("AutoRegister", strconv.FormatBool(s.AutoRegister))
	reg.NewKey("Refresh", strconv.Itoa(s.Refresh))
	reg.NewKey("EmergencyCapable", strconv.FormatBool(s.EmergencyCapable))
	if s.Encryption != EncryptionNo {
		reg.NewKey("Encryption", string(s.Encryption))
	}
	cid, _ := f.NewSection("CallerId")
	cid.NewKey("Name", s.CallerIDName)
	cid.NewKey("Number", s.CallerIDNumber)
	var b bytes.Buffer
	f.WriteTo(&b)
	return b.Bytes()
}

// Save validates the settings and writes them atomically with mode 0600:
// a reader sees the old file or the new one, never a part.
func Save(configDir string, s Settings) error {
	if err := s.Validate(); err != nil {
		return err
	}
	if err := os.MkdirAll(configDir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(configDir, "."+FileName+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(s.Marshal()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), Path(configDir)); err != nil {
		return err
	}
	if d, err := os.Open(configDir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
