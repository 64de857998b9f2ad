package server

import (
	"errors"
	"fmt"
	"github.com/ringo-phone/ringo/internal/asteriskconf"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/ringo-phone/ringo/telephony"
	"github.com/ringo-phone/ringo/telephony/policy"
	"gopkg.in/ini.v1"
)

// ManagersSection of Telephony.conf maps third-party services to a call
// policy manager phoned knows: "<service> = generic".
const ManagersSection = "Managers"

// policyConfig is what phoned reads from Telephony.conf.
type policyConfig struct {
	policy.Config
	// Generic lists the services that get the generic manager.
	Generic map[string]bool
}

// loadPolicyConfig reads <config>/Telephony.conf; a missing file gives the
// defaults, a bad one an error wrapping ErrConfig.
func loadPolicyConfig(dir string) (policyConfig, error) {
	path := filepath.Join(dir, policy.ConfigFile)
	c, err := policy.LoadConfig(path)
	if err != nil {
		return policyConfig{}, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	pc := policyConfig{Config: c, Generic: map[string]bool{}}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return pc, nil
	}
	if err != nil {
		return policyConfig{}, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	f, err := ini.LoadSources(ini.LoadOptions{IgnoreInlineComment: true}, b)
	if err != nil {
		return policyConfig{}, fmt.Errorf("%w: %s: %w", ErrConfig, path, err)
	}
	for _, k := range f.Section(ManagersSection).Keys() {
		switch v := strings.TrimSpace(k.String()); v {
		case "generic":
			pc.Generic[k.Name()] = true
		default:
			return policyConfig{}, fmt.Errorf("%w: %s: [%s] %s = %q: the only manager for other services is \"generic\"",
				ErrConfig, path, ManagersSection, k.Name(), v)
		}
	}
	return pc, nil
}

// emergencyCapable reads [Registration] EmergencyCapable of Asterisk.conf
// through the same reader the agent and iaxsettings use: false when the
// file is missing, unreadable, open to others or invalid (an account the
// agent refuses places no emergency calls either).
func emergencyCapable(dir string) bool {
	s, err := asteriskconf.Load(dir)
	return err == nil && s.EmergencyCapable
}

// stateSetter is the part of a manager phoned feeds.
type stateSetter interface {
	policy.Manager
	SetRegistrationState(telephony.RegistrationState)
}

// newManager returns the call policy manager phoned runs for service, or
// nil when it knows none: the service's calls cannot be placed.
func newManager(service string, cfg policyConfig, configDir string) stateSetter {
	switch {
	case service == "asterisk":
		return policy.NewAsteriskManager(policy.AsteriskRule{Emergency: cfg.Emergency, EmergencyCapable: emergencyCapable(configDir)})
	case service == "modem":
		return policy.NewModemManager(policy.ModemRule{Emergency: cfg.Emergency})
	case cfg.Generic[service]:
		return newGenericManager(service, cfg.Emergency)
	}
	return nil
}

// genericManager is the call policy manager of a third-party service
// mapped in Telephony.conf [Managers]: it can place any number that is not
// a URI and not an emergency number while the service is registered (Home
// or Roaming). Its call type is the first one the service published.
type genericManager struct {
	service   string
	emergency policy.EmergencyNumbers

	mu       sync.Mutex
	state    telephony.RegistrationState
	callType string
}

func newGenericManager(service string, e policy.EmergencyNumbers) *genericManager {
	return &genericManager{service: service, emergency: e, state: telephony.RegistrationNone}
}

func (g *genericManager) Service() string { return g.service }

func (g *genericManager) CallType() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.callType
}

func (g *genericManager) setCallType(t string) {
	g.mu.Lock()
	g.callType = t
	g.mu.Unlock()
}

func (g *genericManager) DisplayName() string  { return g.CallType() }
func (g *genericManager) CallTypeIcon() string { return "generic" }

func (g *genericManager) SetRegistrationState(st telephony.RegistrationState) {
	g.mu.Lock()
	g.state = st
	g.mu.Unlock()
}

func (g *genericManager) RegistrationState() telephony.RegistrationState {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.state
}

func (g *genericManager) RegistrationMessage() string {
	if st := g.RegistrationState(); !st.Registered() {
		return fmt.Sprintf("%s: not registered (%s)", g.service, st)
	}
	return ""
}

func (g *genericManager) RegistrationIcon() string {
	if g.RegistrationState().Registered() {
		return "generic"
	}
	return "generic-offline"
}

func (g *genericManager) Handling(number string) policy.Handling {
	switch {
	case strings.ContainsAny(number, "@:"), g.emergency.Contains(number), !g.RegistrationState().Registered():
		return policy.CannotHandle
	}
	return policy.CanHandle
}

func (g *genericManager) IsAvailable(number string) bool {
	return g.Handling(number) == policy.CanHandle
}
