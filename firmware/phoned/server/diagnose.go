package server

import (
	"fmt"
	"strings"
	"time"

	"github.com/ringo-phone/ringo/telephony"
	"github.com/ringo-phone/ringo/telephony/phoneapi"
)

// agentView is what diagnose needs to know about one service file's
// program.
type agentView struct {
	Program  string
	State    string
	Started  time.Time // of the current run
	Quick    bool      // the last run exited 0 right after start
	StartErr error     // why it cannot be started at all
	Services []string  // services attributed to it
}

// serviceView is one initialized service.
type serviceView struct {
	Name         string
	Interfaces   []telephony.Interface
	HasCallTypes bool // a call-types entry exists
	CallTypes    []string
	HasManager   bool
	Unannounced  []string // calls seen in state Idle more than once
	// Registration is the published registration state (None when it
	// publishes none), RegistrationMessage its manager's words for it, and
	// Problem what the agent says keeps it from registering.
	Registration        telephony.RegistrationState
	RegistrationMessage string
	Problem             string
}

// diagnose turns the state of the phone into the troubleshooting
// diagnostics, as value-space path → plain words. It is pure.
func diagnose(servicesDir string, haveFiles bool, agents []agentView, services []serviceView,
	now time.Time, initTimeout time.Duration) map[string]string {
	out := make(map[string]string)
	if !haveFiles {
		out[phoneapi.DiagnosticPath(phoneapi.CaseNotStarted, "phoned")] = fmt.Sprintf(
			"service not started: there are no service files in %s; add one named after the agent program "+
				"(containing [Standard] Version = 100)", servicesDir)
	}
	for _, a := range agents {
		switch {
		case a.StartErr != nil:
			out[phoneapi.DiagnosticPath(phoneapi.CaseNotStarted, a.Program)] = fmt.Sprintf(
				"service not started: %s cannot be launched: %v", a.Program, a.StartErr)
		case a.Quick && a.State == phoneapi.AgentExited:
			out[phoneapi.DiagnosticPath(phoneapi.CaseNoRunningTask, a.Program)] = fmt.Sprintf(
				"%s exits right after start: it holds no running task (register one when Telephony::start "+
					"arrives and release it on Telephony::stop)", a.Program)
		case (a.State == phoneapi.AgentStarting || a.State == phoneapi.AgentRunning) &&
			len(a.Services) == 0 && now.Sub(a.Started) >= initTimeout:
			out[phoneapi.DiagnosticPath(phoneapi.CaseNotInitialized, a.Program)] = fmt.Sprintf(
				"%s never initialized its service: %s after Telephony::start there are still no "+
					"requestChannel/responseChannel entries under /Communications/<Interface>/<service> "+
					"from it (call Initialize on the service)", a.Program, initTimeout)
		}
	}
	for _, s := range services {
		switch {
		case len(s.CallTypes) == 0:
			out[phoneapi.DiagnosticPath(phoneapi.CaseNoCallTypes, s.Name)] = fmt.Sprintf(
				"service %s published no call types (nothing at %s): calls cannot be placed with it; "+
					"give the call provider its call types", s.Name, telephony.CallTypesKey(s.Name))
		case !s.HasManager:
			out[phoneapi.DiagnosticPath(phoneapi.CaseNoPolicyManager, s.Name)] = fmt.Sprintf(
				"service %s has call types (%s) but no call policy manager: its calls cannot be placed "+
					"(phoned has managers for asterisk and modem; map other services in Telephony.conf [Managers])",
				s.Name, strings.Join(s.CallTypes, ", "))
		}
		switch {
		case s.Registration == telephony.RegistrationDenied:
			words := s.Problem
			if words == "" {
				words = s.RegistrationMessage
			}
			if words == "" {
				words = "the network refused the registration"
			}
			out[phoneapi.DiagnosticPath(phoneapi.CaseRegistration, s.Name)] = fmt.Sprintf(
				"service %s is denied registration: %s", s.Name, words)
		case s.Problem != "":
			out[phoneapi.DiagnosticPath(phoneapi.CaseRegistration, s.Name)] = fmt.Sprintf(
				"service %s is not registered: %s", s.Name, s.Problem)
		}
		if len(s.Unannounced) > 0 {
			out[phoneapi.DiagnosticPath(phoneapi.CaseNotAnnounced, s.Name)] = fmt.Sprintf(
				"service %s has calls that were never announced (%s): set their number and state "+
					"(Incoming) between BeginStateTransaction and EndStateTransaction, or nothing else "+
					"in the phone sees them", s.Name, strings.Join(s.Unannounced, ", "))
		}
	}
	return out
}
