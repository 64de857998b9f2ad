package ui

import (
	"sort"
	"strings"
	"time"

	"github.com/ringo-phone/ringo/telephony"
	"github.com/ringo-phone/ringo/telephony/phoneapi"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

// Hardware keys phoned publishes for the board (ARCHITECTURE.md,
// Contracts); a board without the part has no entry.
const (
	RadioPowerPath    = "/Hardware/Radio/Power"
	KeypadDigitsPath  = "/Hardware/Keypad/Digits"
	registrationsPath = "/Communications/QNetworkRegistration"
)

// Prefixes are the value-space subtrees the call screen shows.
func Prefixes() []string {
	return []string{telephony.StatusPath, registrationsPath, telephony.CallTypesPath,
		telephony.CallsPath, RadioPowerPath, KeypadDigitsPath}
}

// service is one telephony service as the status bar shows it.
type service struct {
	name      string
	icon      string // the policy manager's registration icon
	message   string // its registration message ("" when all is well)
	state     string // registrationState
	callTypes []string
}

// call is one entry of phoned's call list.
type call struct {
	id, state, number, name, service, callType, actions, direction, reason string
	seq                                                                    int64
	start, connected, end                                                  time.Time
}

func (c *call) callState() (telephony.CallState, bool) {
	st, err := telephony.ParseCallState(c.state)
	return st, err == nil
}

// live reports whether the call has a state and has not ended.
func (c *call) live() bool {
	st, ok := c.callState()
	return ok && !st.Final()
}

func (c *call) ended() bool {
	st, ok := c.callState()
	return ok && st.Final()
}

func (c *call) is(st telephony.CallState) bool { return c.state == st.String() }

// missed is phoned's rule: an incoming call that ended unanswered.
func (c *call) missed() bool {
	return c.ended() && (c.is(telephony.CallMissed) || (c.direction == "incoming" && c.connected.IsZero()))
}

// can reports whether the call's actions include a.
func (c *call) can(a telephony.Actions) bool {
	got, err := telephony.ParseActions(c.actions)
	return err == nil && got&a != 0
}

// duration is how long the call has been (or was) connected at now; ok is
// false for a call that was never connected.
func (c *call) duration(now time.Time) (time.Duration, bool) {
	if c.connected.IsZero() {
		return 0, false
	}
	end := now
	if !c.end.IsZero() {
		end = c.end
	}
	return max(end.Sub(c.connected), 0), true
}

// phone is the value space the call screen shows, folded from snapshots
// and change batches alike. It is owned by the App's loop.
type phone struct {
	services     map[string]*service
	flight       bool
	flightKnown  bool
	radio        string
	missed       int64
	digits       string
	digitsSeen   bool
	calls        map[string]*call
	list         phoneapi.CallList // the call list as phoned publishes it
	digitsChange bool              // the keypad's digits changed in the last apply
}

func newPhone() *phone {
	return &phone{services: make(map[string]*service), calls: make(map[string]*call)}
}

func (p *phone) service(name string) *service {
	s := p.services[name]
	if s == nil {
		s = &service{name: name}
		p.services[name] = s
	}
	return s
}

// apply folds one change in.
func (p *phone) apply(ch vs.Change) {
	path, v, removed := ch.Path, ch.Value, ch.Removed
	str, _ := v.Str()
	switch {
	case path == telephony.FlightModePath:
		p.flight, _ = v.Bool()
		p.flightKnown = !removed
	case path == RadioPowerPath:
		p.radio = str
	case path == KeypadDigitsPath:
		p.digits, p.digitsSeen, p.digitsChange = str, !removed, true
	case path == telephony.MissedCallsPath:
		p.missed, _ = v.Int()
	case under(path, telephony.CallsPath):
		p.applyCall(strings.TrimPrefix(path, telephony.CallsPath+"/"), v, removed)
	case under(path, telephony.StatusPath):
		name, key, _ := strings.Cut(strings.TrimPrefix(path, telephony.StatusPath+"/"), "/")
		switch key {
		case telephony.KeyIcon:
			p.service(name).icon = str
		case telephony.KeyRegistrationMsg:
			p.service(name).message = str
		}
	case under(path, registrationsPath):
		name, key, _ := strings.Cut(strings.TrimPrefix(path, registrationsPath+"/"), "/")
		if key == telephony.KeyRegistrationState {
			p.service(name).state = str
		}
	case under(path, telephony.CallTypesPath):
		name := strings.TrimPrefix(path, telephony.CallTypesPath+"/")
		p.service(name).callTypes, _ = v.List()
	}
	p.dropEmptyServices()
}

func under(path, prefix string) bool { return strings.HasPrefix(path, prefix+"/") }

func (p *phone) dropEmptyServices() {
	for n, s := range p.services {
		if s.icon == "" && s.message == "" && s.state == "" && len(s.callTypes) == 0 {
			delete(p.services, n)
		}
	}
}

func (p *phone) applyCall(rest string, v vs.Value, removed bool) {
	p.list.Apply(telephony.CallsPath+"/"+rest, v, removed)
	id, _, _ := strings.Cut(rest, "/")
	c, ok := p.list.Get(id)
	if !ok {
		delete(p.calls, id)
		return
	}
	p.calls[id] = &call{id: c.ID, state: c.State, number: c.Number, name: c.Name, service: c.Service,
		callType: c.CallType, actions: c.Actions, direction: c.Direction, reason: c.Reason, seq: c.Seq,
		start: phoneapi.Time(c.StartTime), connected: phoneapi.Time(c.ConnectedTime), end: phoneapi.Time(c.EndTime)}
}

// serviceList returns the services by name.
func (p *phone) serviceList() []*service {
	out := make([]*service, 0, len(p.services))
	for _, s := range p.services {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// sorted returns the calls that have a state, oldest first.
func (p *phone) sorted() []*call {
	out := make([]*call, 0, len(p.calls))
	for _, c := range p.calls {
		if c.state != "" {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].seq != out[j].seq {
			return out[i].seq < out[j].seq
		}
		return out[i].id < out[j].id
	})
	return out
}

// liveCalls returns the calls that have not ended, oldest first.
func (p *phone) liveCalls() []*call {
	var out []*call
	for _, c := range p.sorted() {
		if c.live() {
			out = append(out, c)
		}
	}
	return out
}

// history returns the ended calls, newest first.
func (p *phone) history() []*call {
	var out []*call
	all := p.sorted()
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].ended() {
			out = append(out, all[i])
		}
	}
	return out
}

// serviceOfCallType returns the service that offers callType.
func (p *phone) serviceOfCallType(callType string) *service {
	for _, s := range p.serviceList() {
		for _, t := range s.callTypes {
			if t == callType {
				return s
			}
		}
	}
	return nil
}
