package server

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/ringo-phone/ringo/telephony"
	"github.com/ringo-phone/ringo/telephony/bus"
	"github.com/ringo-phone/ringo/telephony/phoneapi"
	"github.com/ringo-phone/ringo/telephony/policy"
	"github.com/ringo-phone/ringo/telephony/qcop"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

// Server is a running phoned. It hosts the bus and reads the value space
// it serves in process: it is not a client of its own socket.
//
// Every event phoned follows (value-space batches, messages on its control
// channel and on the agents' call channels, timers) runs on one dispatch
// goroutine, in order. mu guards the state below it against the agents'
// supervisor goroutines and Decide; it is never held across I/O.
type Server struct {
	opts   Options
	log    *slog.Logger
	bus    *bus.Server
	tree   *vs.Tree
	spawn  *spawner
	policy policy.Config
	files  []serviceFile
	events *eventQueue
	notes  *notifier // notices for the console, nil without Options.Notices
	stops  []func()  // subscriptions and channel handlers, ended by Shutdown

	mu         sync.Mutex
	agents     map[string]*agent
	services   map[string]*serviceState // initialized: at least one interface
	seen       map[string]*serviceState // every service with entries, services included
	calls      *callList
	flight     bool                   // the effective flight mode
	noModem    *policy.NoModemManager // stands in for the radio while no modem service runs
	hw         *hardware              // set by Start, then touched on the dispatch goroutine
	diags      map[string]string
	stopping   bool
	checkTmr   interface{ Stop() bool }
	ownerNames map[vs.Owner]string
	// emergencyDials are the emergency calls through a modem not yet
	// connected, by call id: their numbers (failover.go).
	emergencyDials map[string]string

	startLevels string // only touched on the dispatch goroutine

	agentsWG sync.WaitGroup
	done     chan struct{}
	once     sync.Once
	err      error
}

// serviceState is phoned's typed view of one initialized service, kept up
// to date from the value-space batches under /Communications.
type serviceState struct {
	name       string
	interfaces map[telephony.Interface]bool
	owner      vs.Owner
	hasTypes   bool
	callTypes  []string
	reg        telephony.RegistrationState
	hasReg     bool   // a registrationState is published
	problem    string // registrationProblem: what keeps it from registering
	valid      *bool
	ecc        []string // the emergency numbers its SIM adds (EF_ECC)
	// capable is Asterisk.conf's EmergencyCapable, read off the dispatch
	// goroutine's lock-free path when the registration changes.
	capable   bool
	manager   policy.Fed // nil: no manager, calls cannot be placed
	stopCalls func()     // the call channel's handler
	idleSeen  map[string]int
}

func (st *serviceState) sortedInterfaces() []telephony.Interface {
	return slices.Sorted(maps.Keys(st.interfaces))
}

// Start reads the configuration, hosts the bus at <runtime>/bus.sock and
// launches every agent with a service file. Configuration errors wrap
// ErrConfig.
func Start(ctx context.Context, opts Options) (*Server, error) {
	opts.defaults()
	pc, err := loadPolicyConfig(opts.Config)
	if err != nil {
		return nil, err
	}
	files, err := readServiceFiles(filepath.Join(opts.Config, ServicesDir), opts.LookPath)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(opts.Runtime, 0o755); err != nil {
		return nil, fmt.Errorf("phoned: runtime directory: %w", err)
	}
	s := &Server{
		opts:     opts,
		log:      opts.Logger.With("category", "phoned"),
		policy:   pc,
		files:    files,
		events:   newEventQueue(),
		notes:    newNotifier(opts.Notices),
		agents:   make(map[string]*agent),
		services: make(map[string]*serviceState),
		seen:     make(map[string]*serviceState),
		calls:    newCallList(opts.KeepEnded),
		diags:    make(map[string]string),
		done:     make(chan struct{}),
		noModem:  policy.NewNoModemManager(pc),
	}
	s.bus, err = bus.Listen(bus.SocketPath(opts.Runtime), bus.ServerOptions{Logger: opts.Logger})
	if err != nil {
		return nil, err
	}
	s.tree = s.bus.Tree()
	s.apply(s.loadHistory()...)
	s.apply(s.calls.initOps()...)
	go s.events.run()
	if err := s.watch(); err != nil {
		s.events.close()
		s.bus.Close()
		return nil, err
	}
	// The board comes up before the agents: the flight mode they and the
	// policy see is the hardware's from the start.
	hwErr := make(chan error, 1)
	s.events.post(func() { hwErr <- s.startHardware() })
	if err := <-hwErr; err != nil {
		for _, stop := range s.stops {
			stop()
		}
		s.events.close()
		s.bus.Close()
		return nil, err
	}
	s.spawn = newSpawner()
	s.log.Info("phoned started", "socket", bus.SocketPath(opts.Runtime), "serviceFiles", len(files),
		"priority", strings.Join(pc.Priority, ","), "emergency", pc.Emergency.String())
	s.mu.Lock()
	for _, f := range files {
		a := newAgent(s, f)
		s.agents[f.Program] = a
		s.agentsWG.Add(1)
		go a.run()
	}
	s.refreshLocked()
	s.checkTmr = s.opts.Clock.AfterFunc(s.opts.CallCheck, func() { s.events.post(s.checkCalls) })
	s.mu.Unlock()
	go func() {
		select {
		case <-s.bus.Done():
		case <-s.done:
			return
		}
		s.mu.Lock()
		stopping := s.stopping
		s.mu.Unlock()
		if !stopping {
			s.fail(fmt.Errorf("phoned: bus stopped: %w", s.bus.Err()))
		}
	}()
	return s, nil
}

// watch follows the parts of the tree phoned acts on and serves its
// control channel, all through the dispatch goroutine.
func (s *Server) watch() error {
	subscribe := func(prefix string, fn func(vs.Batch)) error {
		cancel, err := s.tree.Subscribe(prefix, func(b vs.Batch) {
			// Called with the tree locked: only queue.
			s.events.post(func() { fn(b) })
		})
		if err != nil {
			return err
		}
		s.stops = append(s.stops, cancel)
		return nil
	}
	if err := subscribe(telephony.CommunicationsPath, s.onComms); err != nil {
		return err
	}
	if s.opts.Levels != nil {
		if err := subscribe(phoneapi.LogLevelsPath, s.onLogLevels); err != nil {
			return err
		}
	}
	s.stops = append(s.stops, s.handle(phoneapi.ControlChannel, s.onControl))
	return nil
}

// handle serves a qcop channel in process, on the dispatch goroutine.
func (s *Server) handle(channel string, fn func(qcop.Message)) (stop func()) {
	return s.bus.Handle(channel, func(d bus.Delivery) {
		m := qcop.FromDelivery(d)
		s.events.post(func() { fn(m) })
	})
}

// send posts a qcop message from phoned to channel; it reports whether
// anyone received it (or it was held for a future listener).
func (s *Server) send(channel, name string, args ...vs.Value) bool {
	return s.bus.Publish(channel, name, args...) > 0
}

// Stats are the bus clients' traffic counters (phoned itself is none of
// them).
func (s *Server) Stats() []bus.ClientInfo { return s.bus.Stats() }

// Done is closed when the server has stopped (Shutdown, or a failure).
func (s *Server) Done() <-chan struct{} { return s.done }

// Err says why the server stopped; nil while it runs or after a clean
// Shutdown.
func (s *Server) Err() error {
	select {
	case <-s.done:
		return s.err
	default:
		return nil
	}
}

func (s *Server) fail(err error) {
	s.once.Do(func() {
		s.err = err
		s.log.Error("phoned failing", "err", err)
		close(s.done)
	})
}

// Shutdown sends Telephony::stop to every running agent, waits up to the
// stop timeout for them to exit (killing those that do not), and then
// closes the bus. It is idempotent.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	if s.stopping {
		s.mu.Unlock()
		s.agentsWG.Wait()
		return nil
	}
	s.stopping = true
	if s.checkTmr != nil {
		s.checkTmr.Stop()
	}
	agents := slices.Collect(maps.Values(s.agents))
	s.mu.Unlock()
	s.log.Info("stopping agents", "agents", len(agents))
	// The kill timer runs from before the first Telephony::stop (and before
	// the state that says so).
	kill := make(chan struct{})
	t := s.opts.Clock.AfterFunc(s.opts.StopTimeout, func() { close(kill) })
	for _, a := range agents {
		a.stop()
	}
	waited := make(chan struct{})
	go func() { s.agentsWG.Wait(); close(waited) }()
	select {
	case <-waited:
		t.Stop()
	case <-kill:
		for _, a := range agents {
			a.kill()
		}
		<-waited
	case <-ctx.Done():
		for _, a := range agents {
			a.kill()
		}
		<-waited
	}
	s.spawn.close()
	s.stopHardware()
	for _, stop := range s.stops {
		stop()
	}
	s.bus.Close()
	s.events.close()
	<-s.events.done // Shutdown never runs on the dispatch goroutine
	if s.opts.State != "" {
		s.writeHistory() // what the closed queue still held
	}
	s.notes.close()
	s.once.Do(func() { close(s.done) })
	s.log.Info("phoned stopped")
	return nil
}

// apply writes ops as phoned (owner 0) in one batch.
func (s *Server) apply(ops ...vs.Op) {
	if len(ops) == 0 {
		return
	}
	if err := s.tree.Apply(0, ops...); err != nil {
		s.log.Error("value space write refused", "err", err)
	}
}

// commsKey is what a path under /Communications says about a service.
type commsKey struct {
	service string
	iface   telephony.Interface // set for <Interface>/<service>/requestChannel
	what    string              // "interface", "callTypes", "registration", "valid", or ""
}

// parseCommsPath reads a path under /Communications once, into the part
// of a service it describes; ok is false for paths phoned does not follow
// (its own call list among them).
func parseCommsPath(p string) (k commsKey, ok bool) {
	rest, found := strings.CutPrefix(p, telephony.CommunicationsPath+"/")
	if !found || vs.Under(p, telephony.CallsPath) {
		return commsKey{}, false
	}
	parts := strings.Split(rest, "/")
	if len(parts) != 3 {
		return commsKey{}, false
	}
	switch {
	case parts[0] == string(telephony.CallProviderInterface) && parts[1] == "CallTypes":
		return commsKey{service: parts[2], what: "callTypes"}, true
	case parts[2] == telephony.KeyRequestChannel:
		return commsKey{service: parts[1], iface: telephony.Interface(parts[0]), what: "interface"}, true
	case parts[0] == string(telephony.NetworkRegistrationInterface) && parts[2] == telephony.KeyRegistrationState:
		return commsKey{service: parts[1], what: "registration"}, true
	case parts[0] == string(telephony.NetworkRegistrationInterface) && parts[2] == telephony.KeyRegistrationProblem:
		return commsKey{service: parts[1], what: "problem"}, true
	case parts[0] == string(telephony.ServiceCheckerInterface) && parts[2] == telephony.KeyValid:
		return commsKey{service: parts[1], what: "valid"}, true
	case parts[0] == string(telephony.ServiceCheckerInterface) && parts[2] == policy.KeySIMEmergencyNumbers:
		return commsKey{service: parts[1], what: "ecc"}, true
	}
	return commsKey{}, false
}

// onComms keeps the typed view of services up to date from one batch under
// /Communications (on the dispatch goroutine).
func (s *Server) onComms(b vs.Batch) {
	// Asterisk.conf is read here, before the lock, for every Asterisk
	// service whose registration this batch changes.
	capable := map[string]bool{}
	for _, c := range b.Changes {
		if k, ok := parseCommsPath(c.Path); ok && k.what == "registration" {
			if kind, _ := s.policy.ManagerKind(k.service); kind == policy.KindAsterisk {
				capable[k.service] = emergencyCapable(s.opts.Config)
			}
		}
	}
	owners := map[string]vs.Owner{}
	for _, c := range b.Changes {
		if k, ok := parseCommsPath(c.Path); ok && k.what == "interface" && !c.Removed {
			if e, ok := s.tree.Lookup(c.Path); ok {
				owners[k.service] = e.Owner
			}
		}
	}

	s.mu.Lock()
	touched := map[string]*serviceState{}
	eccChanged := false
	get := func(name string) *serviceState {
		st := s.seen[name]
		if st == nil {
			st = &serviceState{name: name, interfaces: map[telephony.Interface]bool{}, reg: telephony.RegistrationNone}
			s.seen[name] = st
		}
		touched[name] = st
		return st
	}
	for _, c := range b.Changes {
		k, ok := parseCommsPath(c.Path)
		if !ok {
			continue
		}
		st := get(k.service)
		switch k.what {
		case "interface":
			if c.Removed {
				delete(st.interfaces, k.iface)
			} else {
				st.interfaces[k.iface] = true
				if o, ok := owners[k.service]; ok {
					st.owner = o
				}
			}
		case "callTypes":
			st.hasTypes = !c.Removed
			st.callTypes = nil
			if !c.Removed {
				st.callTypes, _ = c.Value.List()
			}
		case "registration":
			st.hasReg = false
			st.reg = telephony.RegistrationNone
			if !c.Removed {
				if str, ok := c.Value.Str(); ok {
					if r, err := telephony.ParseRegistrationState(str); err == nil {
						st.reg, st.hasReg = r, true
					}
				}
			}
		case "problem":
			st.problem = ""
			if !c.Removed {
				st.problem, _ = c.Value.Str()
			}
		case "valid":
			st.valid = nil
			if !c.Removed {
				v, _ := c.Value.Bool()
				st.valid = &v
			}
		case "ecc":
			eccChanged = true
			st.ecc = nil
			if !c.Removed {
				st.ecc, _ = c.Value.List()
			}
		}
		if v, ok := capable[k.service]; ok {
			st.capable = v
		}
	}
	var added, removed []*serviceState
	for _, name := range slices.Sorted(maps.Keys(touched)) {
		st := touched[name]
		old := s.services[name]
		switch {
		case old == nil && len(st.interfaces) > 0:
			s.services[name] = st
			st.manager = s.newManager(name)
			added = append(added, st)
			s.log.Info("service appeared", "service", name, "interfaces", fmt.Sprint(st.sortedInterfaces()),
				"callTypes", strings.Join(st.callTypes, ","), "policyManager", st.manager != nil)
		case old != nil && len(st.interfaces) == 0:
			delete(s.services, name)
			removed = append(removed, st)
			s.log.Info("service gone", "service", name)
			s.apply(s.calls.endService(name, s.opts.Clock.Now())...)
			s.historyChangedLocked()
			s.apply(statusOps(name, nil)...)
		}
		if s.services[name] == st {
			s.feedManagerLocked(st)
		} else if !st.hasTypes && !st.hasReg && st.valid == nil && st.problem == "" && st.ecc == nil {
			delete(s.seen, name) // nothing of it is left
		}
	}
	if eccChanged || len(removed) > 0 {
		// The SIM's emergency numbers are every manager's.
		if eccChanged {
			s.log.Info("emergency numbers from the SIM", "numbers", strings.Join(s.simEmergencyLocked(), ","))
		}
		for _, st := range s.services {
			s.feedManagerLocked(st)
		}
	}
	s.refreshLocked()
	s.mu.Unlock()

	for _, st := range removed {
		if st.stopCalls != nil {
			st.stopCalls()
		}
	}
	for _, st := range added {
		s.watchCalls(st)
	}
}

// newManager returns the call policy manager of service, or nil when the
// configuration gives it none.
func (s *Server) newManager(service string) policy.Fed {
	kind, ok := s.policy.ManagerKind(service)
	if !ok {
		return nil
	}
	m, err := policy.NewManager(kind, service, s.policy)
	if err != nil { // the configuration was checked at start
		s.log.Error("no call policy manager", "service", service, "err", err)
		return nil
	}
	return m
}

// feedManagerLocked gives a service's manager its inputs and publishes
// the registration message and icon that changed.
func (s *Server) feedManagerLocked(st *serviceState) {
	if st.manager == nil {
		return
	}
	reg := st.reg
	if !st.hasReg && !st.interfaces[telephony.NetworkRegistrationInterface] {
		// A service without network registration is usable once ready.
		reg = telephony.RegistrationHome
	}
	if st.valid != nil && !*st.valid {
		reg = telephony.RegistrationNone
	}
	st.manager.Update(policy.Inputs{Registration: reg, FlightMode: s.flight, CallTypes: st.callTypes,
		EmergencyCapable: st.capable, SIMEmergency: s.simEmergencyLocked()})
	var changed []vs.Op
	for _, op := range statusOps(st.name, st.manager) {
		if v, ok := s.tree.Get(op.Path); !ok || !v.Equal(op.Value) {
			changed = append(changed, op)
		}
	}
	s.apply(changed...)
}

// simEmergencyLocked returns the emergency numbers the SIMs of the
// present services add (EF_ECC), in service order.
func (s *Server) simEmergencyLocked() []string {
	var out []string
	for _, name := range slices.Sorted(maps.Keys(s.services)) {
		for _, n := range s.services[name].ecc {
			if !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	return out
}

// statusOps publishes /Telephony/Status/<service>/registrationMessage and
// icon of m, or removes them when m is nil.
func statusOps(service string, m policy.Manager) []vs.Op {
	p := telephony.ServiceStatusPath(service)
	if m == nil {
		return []vs.Op{vs.RemoveOp(vs.Join(p, telephony.KeyRegistrationMsg)), vs.RemoveOp(vs.Join(p, telephony.KeyIcon))}
	}
	return []vs.Op{
		vs.SetOp(vs.Join(p, telephony.KeyRegistrationMsg), vs.String(m.RegistrationMessage())),
		vs.SetOp(vs.Join(p, telephony.KeyIcon), vs.String(m.RegistrationIcon())),
	}
}

// feedNoModemLocked gives the cellular placeholder the flight mode.
func (s *Server) feedNoModemLocked() {
	s.noModem.Update(policy.Inputs{FlightMode: s.flight})
}

// watchCalls follows a new service's call announcements and asks for the
// calls it already has.
func (s *Server) watchCalls(st *serviceState) {
	if !st.interfaces[telephony.CallProviderInterface] {
		return
	}
	stop := s.handle(telephony.CallResponseChannel(st.name), func(m qcop.Message) {
		if e, ok := telephony.DecodeCallEvent(st.name, m); ok {
			s.onCallEvent(e)
		}
	})
	s.mu.Lock()
	if s.services[st.name] != st {
		s.mu.Unlock()
		stop()
		return
	}
	st.stopCalls = stop
	s.mu.Unlock()
	s.listCalls(st.name)
}

// listCalls asks service for its calls; the answer is a state change on its
// call channel.
func (s *Server) listCalls(service string) {
	if !s.send(qcop.RequestChannel(string(telephony.CallProviderInterface), service), telephony.MsgListCalls) {
		s.log.Debug("listCalls: nobody listens", "service", service)
	}
}

func (s *Server) onCallEvent(e telephony.CallEvent) {
	log := s.opts.Logger.With("category", "calls")
	if e.Failure != nil {
		log.Warn("call request failed", "service", e.Service, "call", e.Failure.CallID,
			"request", e.Failure.Request, "reason", e.Failure.Reason)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.services[e.Service]
	if st == nil {
		return
	}
	ops, changed, idle := s.calls.update(e.Calls, s.opts.Clock.Now())
	s.apply(ops...)
	s.followCalls(s.calls.live())
	s.historyChangedLocked()
	for _, c := range changed {
		log.Info("call", "service", e.Service, "call", c.ID, "state", c.State.String(), "number", c.Number)
		if s.calls.ringing(c.ID) {
			s.notes.say(incomingNotice(c)) // queued: no I/O under the lock
		}
		if s.emergencyFailedLocked(c) {
			s.events.post(func() { s.failover(c) })
		}
	}
	for _, c := range e.Calls {
		if c.State != telephony.CallIdle {
			delete(st.idleSeen, c.ID)
		}
	}
	for _, c := range idle {
		if st.idleSeen == nil {
			st.idleSeen = make(map[string]int)
		}
		st.idleSeen[c.ID]++
		log.Warn("call announced without a state (Idle): not in a state transaction?", "service", e.Service, "call", c.ID, "number", c.Number)
	}
	s.refreshLocked()
}

// checkCalls asks every call provider for its calls; a call still in
// state Idle at the next check was never announced.
func (s *Server) checkCalls() {
	s.mu.Lock()
	if s.stopping {
		s.mu.Unlock()
		return
	}
	var names []string
	for name, st := range s.services {
		if st.stopCalls != nil {
			names = append(names, name)
		}
	}
	s.checkTmr = s.opts.Clock.AfterFunc(s.opts.CallCheck, func() { s.events.post(s.checkCalls) })
	s.mu.Unlock()
	slices.Sort(names)
	for _, n := range names {
		s.listCalls(n)
	}
}

// refreshLocked recomputes the diagnostics and the agents' attributed
// services and publishes what changed.
func (s *Server) refreshLocked() {
	names := s.ownerNames
	lookup := false
	for _, st := range s.services {
		if len(s.agents) == 0 {
			break // nothing to attribute services to
		}
		if _, ok := names[st.owner]; !ok {
			lookup = true
		}
	}
	if lookup {
		names = make(map[vs.Owner]string)
		for _, c := range s.bus.Clients() {
			names[c.Owner] = c.Name
		}
		s.ownerNames = names
	}
	byProgram := make(map[string][]string)
	var services []serviceView
	for _, name := range slices.Sorted(maps.Keys(s.services)) {
		st := s.services[name]
		if prog := names[st.owner]; s.agents[prog] != nil {
			byProgram[prog] = append(byProgram[prog], name)
		}
		sv := serviceView{Name: name, Interfaces: st.sortedInterfaces(), HasCallTypes: st.hasTypes,
			CallTypes: st.callTypes, HasManager: st.manager != nil, Problem: st.problem}
		if st.hasReg {
			sv.Registration = st.reg
		}
		if st.manager != nil {
			sv.RegistrationMessage = st.manager.RegistrationMessage()
		}
		for id, n := range st.idleSeen {
			if n >= 2 {
				sv.Unannounced = append(sv.Unannounced, id)
			}
		}
		slices.Sort(sv.Unannounced)
		services = append(services, sv)
	}
	var agents []agentView
	for _, prog := range slices.Sorted(maps.Keys(s.agents)) {
		a := s.agents[prog]
		if !slices.Equal(a.services, byProgram[prog]) {
			a.services = byProgram[prog]
			s.apply(vs.SetOp(vs.Join(phoneapi.AgentPath(prog), phoneapi.KeyAgentServices), vs.Strings(a.services...)))
		}
		agents = append(agents, a.viewLocked())
	}
	now := s.opts.Clock.Now()
	diags := diagnose(filepath.Join(s.opts.Config, ServicesDir), len(s.files) > 0, agents, services, now, s.opts.InitTimeout)
	var ops []vs.Op
	dlog := s.opts.Logger.With("category", "diag")
	for p, text := range diags {
		if s.diags[p] != text {
			ops = append(ops, vs.SetOp(p, vs.String(text)))
			dlog.Warn(text, "case", diagCase(p))
		}
	}
	for p := range s.diags {
		if _, ok := diags[p]; !ok {
			ops = append(ops, vs.RemoveOp(p))
			dlog.Info("resolved", "case", diagCase(p), "was", s.diags[p])
		}
	}
	s.diags = diags
	s.apply(ops...)
}

// diagCase returns the case name of a diagnostic path.
func diagCase(p string) string {
	rest, _ := strings.CutPrefix(p, phoneapi.DiagnosticsPath+"/")
	c, _, _ := strings.Cut(rest, "/")
	return c
}

// refresh is refreshLocked for timers.
func (s *Server) refresh() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.stopping {
		s.refreshLocked()
	}
}

// onLogLevels applies a level specification written at LogLevelsPath
// ("info,calls=debug"); removing it goes back to the levels phoned started
// with.
func (s *Server) onLogLevels(b vs.Batch) {
	for _, c := range b.Changes {
		if c.Path != phoneapi.LogLevelsPath {
			continue
		}
		if s.startLevels == "" {
			s.startLevels = s.opts.Levels.String()
		}
		spec := s.startLevels
		if !c.Removed {
			spec, _ = c.Value.Str()
		}
		if err := s.opts.Levels.Set(spec); err != nil {
			s.log.Warn("bad log levels ignored", "path", c.Path, "err", err)
			continue
		}
		s.log.Info("log levels", "levels", s.opts.Levels.String())
	}
}
