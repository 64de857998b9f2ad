package server

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ringo-phone/ringo/telephony"
	"github.com/ringo-phone/ringo/telephony/bus"
	"github.com/ringo-phone/ringo/telephony/phoneapi"
	"github.com/ringo-phone/ringo/telephony/policy"
	"github.com/ringo-phone/ringo/telephony/qcop"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

// Server is a running phoned.
type Server struct {
	opts   Options
	log    *slog.Logger
	bus    *bus.Server
	tree   *vs.Tree
	client *bus.Client // phoned's own connection, for listening and requests
	mgr    *telephony.Manager
	spawn  *spawner
	policy policyConfig

	mu          sync.Mutex
	files       []serviceFile
	agents      map[string]*agent
	comms       map[string]vs.Value // mirror of /Communications, without the call list
	services    map[string]*serviceState
	calls       *callList
	idleSeen    map[string]map[string]int // service → call id → sightings in state Idle
	flight      bool
	diags       map[string]string
	stopping    bool
	checkTmr    interface{ Stop() bool }
	ownerNames  map[vs.Owner]string
	startLevels string // only touched on the dispatch goroutine
	listeners   []*bus.Listener

	agentsWG sync.WaitGroup
	done     chan struct{}
	once     sync.Once
	err      error
}

// serviceState is what phoned knows about one initialized service.
type serviceState struct {
	name       string
	interfaces []telephony.Interface
	owner      vs.Owner
	hasTypes   bool
	callTypes  []string
	reg        string // registrationState, "" when not published
	valid      *bool
	manager    stateSetter
	watch      *bus.Listener
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
		agents:   make(map[string]*agent),
		comms:    make(map[string]vs.Value),
		services: make(map[string]*serviceState),
		calls:    newCallList(opts.KeepEnded),
		idleSeen: make(map[string]map[string]int),
		diags:    make(map[string]string),
		done:     make(chan struct{}),
	}
	s.bus, err = bus.Listen(bus.SocketPath(opts.Runtime), bus.ServerOptions{Logger: opts.Logger})
	if err != nil {
		return nil, err
	}
	s.tree = s.bus.Tree()
	s.apply(s.calls.initOps()...)
	s.client, err = bus.Dial(ctx, bus.SocketPath(opts.Runtime), bus.ClientOptions{Name: "phoned", Logger: opts.Logger})
	if err != nil {
		s.bus.Close()
		return nil, err
	}
	s.mgr = telephony.NewManager(s.client)
	if err := s.watch(ctx); err != nil {
		s.client.Close()
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
	s.checkTmr = s.opts.Clock.AfterFunc(s.opts.CallCheck, s.checkCalls)
	s.mu.Unlock()
	go func() {
		var err error
		select {
		case <-s.bus.Done():
			err = fmt.Errorf("phoned: bus stopped: %w", s.bus.Err())
		case <-s.client.Done():
			err = fmt.Errorf("phoned: own bus connection lost: %w", s.client.Err())
		case <-s.done:
			return
		}
		s.mu.Lock()
		stopping := s.stopping
		s.mu.Unlock()
		if !stopping {
			s.fail(err)
		}
	}()
	return s, nil
}

// watch subscribes to what phoned follows and listens on its control
// channel.
func (s *Server) watch(ctx context.Context) error {
	if _, err := s.client.Subscribe(ctx, telephony.CommunicationsPath, s.onComms); err != nil {
		return err
	}
	if _, err := s.client.Subscribe(ctx, telephony.FlightModePath, s.onFlightMode); err != nil {
		return err
	}
	if s.opts.Levels != nil {
		if _, err := s.client.Subscribe(ctx, phoneapi.LogLevelsPath, s.onLogLevels); err != nil {
			return err
		}
	}
	l, err := qcop.Listen(ctx, s.client, phoneapi.ControlChannel, s.onControl)
	if err != nil {
		return err
	}
	s.listeners = append(s.listeners, l)
	return nil
}

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
	s.client.Close()
	s.bus.Close()
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

// onComms mirrors /Communications (without phoned's own call list) and
// works out which services exist.
func (s *Server) onComms(b vs.Batch) {
	s.mu.Lock()
	for _, c := range b.Changes {
		if vs.Under(c.Path, telephony.CallsPath) {
			continue
		}
		if c.Removed {
			delete(s.comms, c.Path)
		} else {
			s.comms[c.Path] = c.Value
		}
	}
	seen := s.servicesFromComms()
	var added []*serviceState
	var removed []*serviceState
	for name, now := range seen {
		old := s.services[name]
		if old == nil {
			now.manager = newManager(name, s.policy, s.opts.Config)
			s.services[name] = now
			added = append(added, now)
			s.log.Info("service appeared", "service", name, "interfaces", fmt.Sprint(now.interfaces),
				"callTypes", strings.Join(now.callTypes, ","), "policyManager", now.manager != nil)
		} else {
			old.interfaces, old.owner, old.hasTypes, old.callTypes, old.valid = now.interfaces, now.owner, now.hasTypes, now.callTypes, now.valid
			if old.reg != now.reg {
				s.log.Info("registration", "service", name, "state", now.reg)
			}
			old.reg = now.reg
		}
	}
	for name, old := range s.services {
		if _, ok := seen[name]; !ok {
			removed = append(removed, old)
			delete(s.services, name)
			delete(s.idleSeen, name)
			s.log.Info("service gone", "service", name)
			s.apply(s.calls.endService(name, s.opts.Clock.Now())...)
			s.apply(statusOps(name, nil, false)...)
		}
	}
	for _, st := range s.services {
		s.feedManagerLocked(st)
	}
	s.refreshLocked()
	s.mu.Unlock()

	for _, st := range removed {
		if st.watch != nil {
			st.watch.Close()
		}
	}
	for _, st := range added {
		s.watchCalls(st)
	}
}

// servicesFromComms derives the services from the mirror; s.mu held.
func (s *Server) servicesFromComms() map[string]*serviceState {
	out := make(map[string]*serviceState)
	get := func(name string) *serviceState {
		if out[name] == nil {
			out[name] = &serviceState{name: name}
		}
		return out[name]
	}
	for p := range s.comms {
		rest, _ := strings.CutPrefix(p, telephony.CommunicationsPath+"/")
		parts := strings.Split(rest, "/")
		if len(parts) == 3 && parts[2] == telephony.KeyRequestChannel {
			st := get(parts[1])
			st.interfaces = append(st.interfaces, telephony.Interface(parts[0]))
			if e, ok := s.tree.Lookup(p); ok {
				st.owner = e.Owner
			}
		}
	}
	for name, st := range out {
		slices.Sort(st.interfaces)
		if v, ok := s.comms[telephony.CallTypesKey(name)]; ok {
			st.hasTypes = true
			st.callTypes, _ = v.List()
		}
		if v, ok := s.comms[vs.Join(telephony.InterfacePath(telephony.NetworkRegistrationInterface, name), telephony.KeyRegistrationState)]; ok {
			st.reg, _ = v.Str()
		}
		if v, ok := s.comms[vs.Join(telephony.InterfacePath(telephony.ServiceCheckerInterface, name), telephony.KeyValid)]; ok {
			b, _ := v.Bool()
			st.valid = &b
		}
	}
	return out
}

// feedManagerLocked gives a service's manager its registration state and
// publishes the registration message and icon.
func (s *Server) feedManagerLocked(st *serviceState) {
	if st.manager == nil {
		return
	}
	reg := telephony.RegistrationNone
	if st.reg != "" {
		if r, err := telephony.ParseRegistrationState(st.reg); err == nil {
			reg = r
		}
	} else if !slices.Contains(st.interfaces, telephony.NetworkRegistrationInterface) {
		// A service without network registration is usable once ready.
		reg = telephony.RegistrationHome
	}
	if st.valid != nil && !*st.valid {
		reg = telephony.RegistrationNone
	}
	if g, ok := st.manager.(*genericManager); ok && len(st.callTypes) > 0 {
		g.setCallType(st.callTypes[0])
	}
	if reg != st.manager.RegistrationState() && st.name == "asterisk" {
		// Asterisk.conf may have changed with the registration.
		st.manager = newManager(st.name, s.policy, s.opts.Config)
	}
	st.manager.SetRegistrationState(reg)
	ops := statusOps(st.name, st.manager, true)
	var changed []vs.Op
	for _, op := range ops {
		if v, ok := s.tree.Get(op.Path); !ok || !v.Equal(op.Value) {
			changed = append(changed, op)
		}
	}
	s.apply(changed...)
}

// statusOps publishes /Telephony/Status/<service>/registrationMessage and
// icon of m, or removes them.
func statusOps(service string, m policy.Manager, present bool) []vs.Op {
	p := telephony.ServiceStatusPath(service)
	if !present || m == nil {
		return []vs.Op{vs.RemoveOp(vs.Join(p, telephony.KeyRegistrationMsg)), vs.RemoveOp(vs.Join(p, telephony.KeyIcon))}
	}
	return []vs.Op{
		vs.SetOp(vs.Join(p, telephony.KeyRegistrationMsg), vs.String(m.RegistrationMessage())),
		vs.SetOp(vs.Join(p, telephony.KeyIcon), vs.String(m.RegistrationIcon())),
	}
}

func (s *Server) onFlightMode(b vs.Batch) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range b.Changes {
		on, _ := c.Value.Bool()
		s.flight = on && !c.Removed
	}
	for _, st := range s.services {
		if m, ok := st.manager.(*policy.ModemManager); ok {
			m.SetFlightMode(s.flight)
			s.feedManagerLocked(st)
		}
	}
}

// watchCalls follows a new service's call announcements and asks for the
// calls it already has.
func (s *Server) watchCalls(st *serviceState) {
	if !slices.Contains(st.interfaces, telephony.CallProviderInterface) {
		return
	}
	ctx := context.Background()
	l, err := s.mgr.WatchCalls(ctx, st.name, s.onCallEvent)
	if err != nil {
		s.log.Warn("cannot watch calls", "service", st.name, "err", err)
		return
	}
	s.mu.Lock()
	if cur := s.services[st.name]; cur != st {
		s.mu.Unlock()
		l.Close()
		return
	}
	st.watch = l
	s.mu.Unlock()
	if err := s.mgr.ListCalls(ctx, st.name); err != nil {
		s.log.Debug("listCalls", "service", st.name, "err", err)
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
	if s.services[e.Service] == nil {
		return
	}
	ops, changed, idle := s.calls.update(e.Calls, s.opts.Clock.Now())
	s.apply(ops...)
	for _, c := range changed {
		log.Info("call", "service", e.Service, "call", c.ID, "state", c.State.String(), "number", c.Number)
	}
	for _, c := range e.Calls {
		if seen := s.idleSeen[e.Service]; seen != nil && c.State != telephony.CallIdle {
			delete(seen, c.ID)
		}
	}
	for _, c := range idle {
		if s.idleSeen[e.Service] == nil {
			s.idleSeen[e.Service] = make(map[string]int)
		}
		s.idleSeen[e.Service][c.ID]++
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
		if st.watch != nil {
			names = append(names, name)
		}
	}
	s.checkTmr = s.opts.Clock.AfterFunc(s.opts.CallCheck, s.checkCalls)
	s.mu.Unlock()
	sort.Strings(names)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, n := range names {
		if err := s.mgr.ListCalls(ctx, n); err != nil {
			s.log.Debug("listCalls", "service", n, "err", err)
		}
	}
}

// refreshLocked recomputes the diagnostics and the agents' attributed
// services and publishes what changed.
func (s *Server) refreshLocked() {
	// Owner names are looked up once per new owner: bus.Server.Clients
	// reads names that connections still in their handshake are writing
	// (a data race in telephony/bus), so phoned asks as seldom as it can.
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
		sv := serviceView{Name: name, Interfaces: st.interfaces, HasCallTypes: st.hasTypes,
			CallTypes: st.callTypes, HasManager: st.manager != nil}
		for id, n := range s.idleSeen[name] {
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
