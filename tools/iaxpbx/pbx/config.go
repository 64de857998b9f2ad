package pbx

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"gopkg.in/ini.v1"

	"github.com/ringo-phone/ringo/iax"
	"github.com/ringo-phone/ringo/internal/clock"
)

// User is an account of the PBX.
type User struct {
	Name, Secret string
	// Number is another extension that rings the user; it is also sent
	// back in REGACK as the user's caller number, with CallerName.
	Number, CallerName string
	// NoCallToken lets the user skip the calltoken round (libiax2 clients
	// such as iaxmodem cannot do it).
	NoCallToken bool
	// Encryption is what the user's calls get: aes128 encrypts those that
	// offer it, required refuses the others (iax.EncryptionOff: neither).
	Encryption iax.Encryption
}

// Config configures a PBX.
type Config struct {
	// Listen is the UDP address (":4569").
	Listen string
	// RecordDir is where extension 602 writes its WAV files (".").
	RecordDir string
	Users     []User

	// Refresh is granted to clients that ask for none; MinRefresh is the
	// shortest granted (60 s, 10 s).
	Refresh, MinRefresh time.Duration
	// Retransmit and PingInterval tune the endpoint (test timing).
	Retransmit   iax.Retransmit
	PingInterval time.Duration
	// DTMFDuration is how long each digit of extension 100 lasts and the
	// gap after it (100 ms).
	DTMFDuration time.Duration
	// MaxSetup bounds the calls and registrations one source address may
	// have being set up at once (64), like Asterisk's maxcallnumbers but
	// counting only what is not yet answered: a NEW past it is refused
	// with congestion, a REGREQ dropped. POKEs hold nothing.
	MaxSetup int

	Clock  clock.Clock
	Logger *slog.Logger
}

// ParseConfig reads the INI configuration:
//
//	[pbx]
//	listen = 127.0.0.1:4569
//	recordings = /var/tmp/iaxpbx
//	maxsetup = 64
//
//	[user handset1]
//	secret = s3cret
//	number = 201
//	name = Handset One
//	calltoken = yes
//	encryption = required
//
// Every key is optional but a user's secret. Unknown sections and keys
// are errors, so that a typing mistake does not go unnoticed.
func ParseConfig(b []byte) (Config, error) {
	var cfg Config
	f, err := ini.LoadSources(ini.LoadOptions{AllowNonUniqueSections: true, SpaceBeforeInlineComment: true}, b)
	if err != nil {
		return cfg, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	for _, s := range f.Sections() {
		name := s.Name()
		switch {
		case name == ini.DefaultSection:
			if len(s.Keys()) > 0 {
				return cfg, fmt.Errorf("%w: key %q outside a section", ErrConfig, s.Keys()[0].Name())
			}
		case name == "pbx":
			for _, k := range s.Keys() {
				switch k.Name() {
				case "listen":
					cfg.Listen = k.String()
				case "recordings":
					cfg.RecordDir = k.String()
				case "maxsetup":
					n, err := k.Int()
					if err != nil || n < 1 {
						return cfg, fmt.Errorf("%w: maxsetup = %q is not a whole number of at least 1", ErrConfig, k.String())
					}
					cfg.MaxSetup = n
				default:
					return cfg, fmt.Errorf("%w: unknown key %q in [pbx]", ErrConfig, k.Name())
				}
			}
		case strings.HasPrefix(name, "user "):
			u := User{Name: strings.TrimSpace(strings.TrimPrefix(name, "user "))}
			if err := checkName(u.Name); err != nil {
				return cfg, err
			}
			hasSecret := false
			for _, k := range s.Keys() {
				switch k.Name() {
				case "secret":
					u.Secret, hasSecret = k.String(), true
				case "number":
					u.Number = k.String()
				case "name":
					u.CallerName = k.String()
				case "calltoken":
					on, err := k.Bool()
					if err != nil {
						return cfg, fmt.Errorf("%w: user %s: calltoken = %q is not yes or no", ErrConfig, u.Name, k.String())
					}
					u.NoCallToken = !on
				case "encryption":
					e, err := iax.ParseEncryption(k.String())
					if err != nil || strings.TrimSpace(k.String()) == "" {
						return cfg, fmt.Errorf("%w: user %s: encryption = %q: want aes128, required or no", ErrConfig, u.Name, k.String())
					}
					u.Encryption = e
				default:
					return cfg, fmt.Errorf("%w: unknown key %q in [user %s]", ErrConfig, k.Name(), u.Name)
				}
			}
			if !hasSecret || u.Secret == "" {
				return cfg, fmt.Errorf("%w: user %s has no secret", ErrConfig, u.Name)
			}
			cfg.Users = append(cfg.Users, u)
		default:
			return cfg, fmt.Errorf("%w: unknown section [%s]", ErrConfig, name)
		}
	}
	if err := checkUsers(cfg.Users); err != nil {
		return cfg, err
	}
	return cfg, nil
}

func checkName(n string) error {
	if n == "" || strings.ContainsAny(n, " \t\r\n:/") || len(n) > 64 {
		return fmt.Errorf("%w: bad user name %q", ErrConfig, n)
	}
	if isExtension(n) {
		return fmt.Errorf("%w: user name %q is a built-in extension", ErrConfig, n)
	}
	return nil
}

func isExtension(s string) bool {
	switch s {
	case extEcho, extTone, extRecord, extDigits:
		return true
	}
	return false
}

// checkUsers refuses duplicate names and numbers, and numbers that shadow
// an extension or another user's name.
func checkUsers(users []User) error {
	names := map[string]bool{}
	for _, u := range users {
		if err := checkName(u.Name); err != nil {
			return err
		}
		if names[u.Name] {
			return fmt.Errorf("%w: user %s defined twice", ErrConfig, u.Name)
		}
		names[u.Name] = true
	}
	nums := map[string]bool{}
	for _, u := range users {
		if u.Number == "" {
			continue
		}
		if isExtension(u.Number) || names[u.Number] || nums[u.Number] {
			return fmt.Errorf("%w: user %s: number %q is already taken", ErrConfig, u.Name, u.Number)
		}
		nums[u.Number] = true
	}
	return nil
}

// ParseEncryptionFlag reads an -encryption flag value NAME:aes128,
// NAME:required or NAME:no.
func ParseEncryptionFlag(s string) (name string, e iax.Encryption, err error) {
	name, word, ok := strings.Cut(s, ":")
	if !ok || name == "" {
		return "", 0, fmt.Errorf("%w: -encryption wants NAME:aes128, NAME:required or NAME:no, got %q", ErrConfig, s)
	}
	e, err = iax.ParseEncryption(word)
	if err != nil || word == "" {
		return "", 0, fmt.Errorf("%w: -encryption %s: %q is not aes128, required or no", ErrConfig, name, word)
	}
	return name, e, nil
}

// ParseUserFlag reads a -user flag value NAME:SECRET[:NUMBER].
func ParseUserFlag(s string) (User, error) {
	p := strings.SplitN(s, ":", 3)
	if len(p) < 2 || p[1] == "" {
		return User{}, fmt.Errorf("%w: -user wants NAME:SECRET[:NUMBER], got %d fields", ErrConfig, len(p))
	}
	u := User{Name: p[0], Secret: p[1]}
	if len(p) == 3 {
		u.Number = p[2]
	}
	return u, checkName(u.Name)
}
