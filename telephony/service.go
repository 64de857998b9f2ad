package telephony

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/ringo-phone/ringo/telephony/bus"
	"github.com/ringo-phone/ringo/telephony/qcop"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

// part is what every interface object implements for its Service. Each
// embeds base, whose lock guards the interface's state and its published
// flag, so an update is either part of the initial batch or queued after it.
type part interface {
	iface() Interface
	lock()
	unlock()
	// valuesLocked returns the interface's own values to publish.
	valuesLocked() []vs.Op
	setPublishedLocked()
	// handle serves one request from the request channel.
	handle(m qcop.Message)
	// close tears the interface down.
	close()
}

// base is embedded in every interface object.
type base struct {
	svc       *Service
	kind      Interface
	mu        sync.Mutex
	published bool
	closed    bool
}

func (b *base) iface() Interface    { return b.kind }
func (b *base) lock()               { b.mu.Lock() }
func (b *base) unlock()             { b.mu.Unlock() }
func (b *base) setPublishedLocked() { b.published = true }

// publishLocked queues value changes once the interface is published; the
// caller holds b.mu, which keeps updates in order.
func (b *base) publishLocked(ops ...vs.Op) {
	if !b.published || b.closed {
		return
	}
	if err := b.svc.c.ApplyAsync(ops...); err != nil {
		b.svc.log.Warn("publish failed", "interface", string(b.kind), "err", err)
	}
}

// respond posts a message on the interface's response channel.
func (b *base) respond(name string, args ...vs.Value) {
	if err := b.svc.c.Post(qcop.ResponseChannel(string(b.kind), b.svc.name), name, args...); err != nil {
		b.svc.log.Warn("response failed", "interface", string(b.kind), "message", name, "err", err)
	}
}

func (b *base) path(key string) string { return vs.Join(InterfacePath(b.kind, b.svc.name), key) }

func (b *base) closeBase() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
}

// Option configures a Service.
type Option func(*Service)

// WithLogger sets the logger (category "telephony", with the service name).
func WithLogger(l *slog.Logger) Option { return func(s *Service) { s.log = l } }

// Service is a telephony service provided by an agent, as
// QTelephonyService: a name and a set of interfaces. It is invisible until
// Initialize.
//
// Add interfaces (AddNetworkRegistration, AddConfiguration,
// AddServiceChecker, SetCallProvider, AddPresence) before Initialize, or
// call Initialize again after adding more. Adding a second interface of a
// kind replaces the first while it is unpublished; once published it is
// kept, and the new one is logged as refused and never published.
type Service struct {
	c    *bus.Client
	name string
	log  *slog.Logger

	mu        sync.Mutex
	parts     map[Interface]part
	order     []Interface
	published map[Interface]bool
	listeners map[Interface]*bus.Listener
	closed    bool
}

// NewService makes the service name (lower case by convention: "asterisk")
// on the bus connection c.
func NewService(c *bus.Client, name string, opts ...Option) *Service {
	s := &Service{
		c:         c,
		name:      name,
		parts:     make(map[Interface]part),
		published: make(map[Interface]bool),
		listeners: make(map[Interface]*bus.Listener),
	}
	for _, o := range opts {
		o(s)
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.log = s.log.With("category", "telephony", "service", name)
	return s
}

// Name returns the service name.
func (s *Service) Name() string { return s.name }

// Supports reports whether the service has the interface.
func (s *Service) Supports(i Interface) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.parts[i]
	return ok
}

// Interfaces returns the service's interfaces in the order they were added.
func (s *Service) Interfaces() []Interface {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Interface(nil), s.order...)
}

// add registers p; a second interface of the same kind replaces the first
// if the first is not published yet, and is refused otherwise.
func (s *Service) add(p part) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := p.iface()
	if s.published[i] {
		s.log.Error("interface already published; keeping the first", "interface", string(i))
		return false
	}
	if _, ok := s.parts[i]; !ok {
		s.order = append(s.order, i)
	}
	s.parts[i] = p
	return true
}

// Initialize makes the service visible: for every interface not yet
// published it listens on the request channel, then publishes, in one
// atomic value-space batch, each interface's requestChannel and
// responseChannel and its values (registration state, validity, call
// types, ...). It may be called again after adding interfaces.
func (s *Service) Initialize(ctx context.Context) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	var todo []part
	for _, i := range s.order {
		if !s.published[i] {
			todo = append(todo, s.parts[i])
		}
	}
	s.mu.Unlock()
	listeners := make(map[Interface]*bus.Listener)
	for _, p := range todo {
		p := p
		l, err := qcop.Listen(ctx, s.c, qcop.RequestChannel(string(p.iface()), s.name), p.handle)
		if err != nil {
			for _, l := range listeners {
				l.Close()
			}
			return fmt.Errorf("telephony: initialize %s: %w", s.name, err)
		}
		listeners[p.iface()] = l
	}
	// Lock every new interface (in a fixed order; nothing else holds two)
	// so the initial batch and later updates cannot interleave.
	for _, p := range todo {
		p.lock()
	}
	var ops []vs.Op
	for _, p := range todo {
		base := InterfacePath(p.iface(), s.name)
		ops = append(ops,
			vs.SetOp(vs.Join(base, KeyRequestChannel), vs.String(qcop.RequestChannel(string(p.iface()), s.name))),
			vs.SetOp(vs.Join(base, KeyResponseChannel), vs.String(qcop.ResponseChannel(string(p.iface()), s.name))))
		ops = append(ops, p.valuesLocked()...)
	}
	err := s.c.ApplyAsync(ops...)
	if err == nil {
		for _, p := range todo {
			p.setPublishedLocked()
		}
	}
	for _, p := range todo {
		p.unlock()
	}
	if err != nil {
		for _, l := range listeners {
			l.Close()
		}
		return fmt.Errorf("telephony: initialize %s: %w", s.name, err)
	}
	s.mu.Lock()
	for _, p := range todo {
		s.published[p.iface()] = true
		s.listeners[p.iface()] = listeners[p.iface()]
	}
	s.mu.Unlock()
	s.log.Info("service initialized", "interfaces", len(todo))
	return nil
}

// Initialized reports whether every interface is published.
func (s *Service) Initialized() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, i := range s.order {
		if !s.published[i] {
			return false
		}
	}
	return len(s.order) > 0
}

// Close withdraws the service: calls still active end in ServiceHangup,
// the listeners stop and the published values are removed. It is
// idempotent. (If the agent just exits, the bus removes the values anyway.)
func (s *Service) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	parts := make([]part, 0, len(s.order))
	for _, i := range s.order {
		parts = append(parts, s.parts[i])
	}
	listeners := s.listeners
	s.listeners = nil
	s.mu.Unlock()
	for _, p := range parts {
		p.close()
	}
	for _, l := range listeners {
		l.Close()
	}
	var ops []vs.Op
	for _, p := range parts {
		ops = append(ops, vs.RemoveOp(InterfacePath(p.iface(), s.name)))
		if p.iface() == CallProviderInterface {
			ops = append(ops, vs.RemoveOp(CallTypesKey(s.name)))
		}
	}
	if err := s.c.ApplyAsync(ops...); err != nil && s.c.Err() == nil {
		return err
	}
	s.log.Info("service closed")
	return nil
}
