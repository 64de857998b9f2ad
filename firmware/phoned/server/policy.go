package server

import (
	"fmt"
	"path/filepath"

	"github.com/ringo-phone/ringo/internal/asteriskconf"
	"github.com/ringo-phone/ringo/telephony/policy"
)

// loadPolicyConfig reads <config>/Telephony.conf ([Policy] and [Managers]);
// a missing file gives the defaults, a bad one an error wrapping ErrConfig.
// 112 and 911 are emergency numbers whatever [Policy] EmergencyNumbers
// lists: the configured list replaces only the rest of the defaults.
func loadPolicyConfig(dir string) (policy.Config, error) {
	c, err := policy.LoadConfig(filepath.Join(dir, policy.ConfigFile))
	if err != nil {
		return policy.Config{}, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	c.Emergency = policy.AlwaysEmergencyNumbers().With(c.Emergency.List()...)
	return c, nil
}

// emergencyCapable reads [Registration] EmergencyCapable of Asterisk.conf
// through the same reader the agent and iaxsettings use: false when the
// file is missing, unreadable, open to others or invalid (an account the
// agent refuses places no emergency calls either). It reads the disk:
// never call it with s.mu held.
func emergencyCapable(dir string) bool {
	s, err := asteriskconf.Load(dir)
	return err == nil && s.EmergencyCapable
}
