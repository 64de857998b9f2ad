package policy

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"slices"
	"strings"

	"gopkg.in/ini.v1"
)

// Config is the [Policy] section of <config>/Telephony.conf.
type Config struct {
	// Priority ranks services (by service name) when several answer
	// MustHandle, and orders candidates. Unlisted services rank after the
	// listed ones, by name. Empty ranks everything by name.
	Priority []string
	// Emergency are the emergency numbers.
	Emergency EmergencyNumbers
	// Managers maps a service to the kind of its call policy manager
	// ([Managers] <service> = asterisk | modem | generic). The reserved
	// names "asterisk" and "modem" get their own kind unless mapped here.
	Managers map[string]Kind
}

// ManagerKind returns the kind of manager service gets: its [Managers]
// entry, else KindAsterisk for "asterisk" and KindModem for "modem".
// ok is false for any other service: it has no manager, and its calls
// cannot be placed. The kind is never inferred from a call type.
func (c Config) ManagerKind(service string) (k Kind, ok bool) {
	if k, ok := c.Managers[service]; ok {
		return k, true
	}
	switch service {
	case string(KindAsterisk):
		return KindAsterisk, true
	case string(KindModem):
		return KindModem, true
	}
	return "", false
}

// ConfigFile is the file name of the policy configuration in the config
// directory.
const ConfigFile = "Telephony.conf"

// DefaultConfig returns Priority = modem, asterisk and the default emergency
// numbers.
func DefaultConfig() Config {
	return Config{Priority: []string{"modem", "asterisk"}, Emergency: DefaultEmergencyNumbers()}
}

// LoadConfig reads the policy configuration from path. A missing file gives
// DefaultConfig; a file that cannot be read or parsed gives an error naming
// the path.
func LoadConfig(path string) (Config, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return DefaultConfig(), nil
	}
	if err != nil {
		return Config{}, fmt.Errorf("policy: read config: %w", err)
	}
	c, err := ParseConfig(b)
	if err != nil {
		return Config{}, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// ParseConfig parses the text of Telephony.conf: [Policy] and [Managers].
// Keys missing from [Policy] keep their defaults; other sections are
// ignored. Errors wrap ErrBadConfig
// (or ErrBadNumber for an emergency number) and name the key and value:
// unknown keys in [Policy], empty or repeated entries, service names with
// characters other than letters, digits, '-', '_' and '.', and an empty
// emergency number list.
func ParseConfig(text []byte) (Config, error) {
	f, err := ini.LoadSources(ini.LoadOptions{IgnoreInlineComment: true}, text)
	if err != nil {
		return Config{}, fmt.Errorf("%w: %w", ErrBadConfig, err)
	}
	c := DefaultConfig()
	if sec, err := f.GetSection(ManagersSection); err == nil {
		for _, k := range sec.Keys() {
			if err := c.addManager(k.Name(), strings.TrimSpace(k.String())); err != nil {
				return Config{}, err
			}
		}
	}
	sec, err := f.GetSection("Policy")
	if err != nil {
		return c, nil // no [Policy] section: defaults
	}
	for _, k := range sec.Keys() {
		switch k.Name() {
		case "Priority":
			if c.Priority, err = parsePriority(k.String()); err != nil {
				return Config{}, err
			}
		case "EmergencyNumbers":
			nums := splitList(k.String())
			if len(nums) == 0 {
				return Config{}, fmt.Errorf("%w: EmergencyNumbers is empty (remove the key to use the defaults %s)", ErrBadConfig, DefaultEmergencyNumbers())
			}
			if c.Emergency, err = NewEmergencyNumbers(nums...); err != nil {
				return Config{}, fmt.Errorf("%w: EmergencyNumbers: %w", ErrBadConfig, err)
			}
		default:
			return Config{}, fmt.Errorf("%w: unknown key %q in [Policy] (want Priority or EmergencyNumbers)", ErrBadConfig, k.Name())
		}
	}
	return c, nil
}

// ManagersSection is the section of Telephony.conf that maps services to
// managers.
const ManagersSection = "Managers"

func (c *Config) addManager(service, kind string) error {
	if i := strings.IndexFunc(service, func(r rune) bool { return !isServiceChar(r) }); i >= 0 || service == "" {
		return fmt.Errorf("%w: [%s] %q is not a service name", ErrBadConfig, ManagersSection, service)
	}
	k := Kind(kind)
	if !slices.Contains(Kinds(), k) {
		return fmt.Errorf("%w: [%s] %s = %q: want one of asterisk, modem, generic", ErrBadConfig, ManagersSection, service, kind)
	}
	if c.Managers == nil {
		c.Managers = make(map[string]Kind)
	}
	c.Managers[service] = k
	return nil
}

func parsePriority(v string) ([]string, error) {
	names := splitList(v)
	out := make([]string, 0, len(names))
	for _, n := range names {
		if n == "" {
			return nil, fmt.Errorf("%w: Priority %q has an empty entry", ErrBadConfig, v)
		}
		if i := strings.IndexFunc(n, func(r rune) bool { return !isServiceChar(r) }); i >= 0 {
			return nil, fmt.Errorf("%w: Priority entry %q is not a service name (bad character %q)", ErrBadConfig, n, n[i:i+1])
		}
		if slices.Contains(out, n) {
			return nil, fmt.Errorf("%w: Priority lists %q twice", ErrBadConfig, n)
		}
		out = append(out, n)
	}
	return out, nil
}

// splitList splits a comma separated value; an all-blank value is no entry.
func splitList(v string) []string {
	if strings.TrimSpace(v) == "" {
		return nil
	}
	parts := strings.Split(v, ",")
	for i, p := range parts {
		parts[i] = strings.TrimSpace(p)
	}
	return parts
}

func isServiceChar(r rune) bool {
	return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') ||
		r == '-' || r == '_' || r == '.'
}

// Format returns c as the text of a Telephony.conf that ParseConfig reads
// back to c.
func (c Config) Format() []byte {
	var b bytes.Buffer
	b.WriteString("[Policy]\n")
	fmt.Fprintf(&b, "Priority = %s\n", strings.Join(c.Priority, ", "))
	fmt.Fprintf(&b, "EmergencyNumbers = %s\n", c.Emergency)
	if len(c.Managers) > 0 {
		fmt.Fprintf(&b, "[%s]\n", ManagersSection)
		for _, name := range slices.Sorted(maps.Keys(c.Managers)) {
			fmt.Fprintf(&b, "%s = %s\n", name, c.Managers[name])
		}
	}
	return b.Bytes()
}
