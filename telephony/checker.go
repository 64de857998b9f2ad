package telephony

import (
	"github.com/ringo-phone/ringo/telephony/qcop"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

// ServiceChecker says whether the service is ready to be used (configured,
// hardware present), as QServiceChecker; it publishes
// /Communications/QServiceChecker/<service>/valid. A service without one
// counts as ready once initialized.
type ServiceChecker struct {
	base
	valid bool
}

// AddServiceChecker adds the interface; the service starts not valid.
func (s *Service) AddServiceChecker() *ServiceChecker {
	c := &ServiceChecker{base: base{svc: s, kind: ServiceCheckerInterface}}
	s.add(c)
	return c
}

// SetValid publishes whether the service can be used.
func (c *ServiceChecker) SetValid(valid bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.valid == valid && c.published {
		return
	}
	c.valid = valid
	c.svc.log.Info("service checker", "valid", valid)
	c.publishLocked(vs.SetOp(c.path(KeyValid), vs.Bool(valid)))
}

// Valid returns the last value set.
func (c *ServiceChecker) Valid() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.valid
}

func (c *ServiceChecker) valuesLocked() []vs.Op {
	return []vs.Op{vs.SetOp(c.path(KeyValid), vs.Bool(c.valid))}
}

func (c *ServiceChecker) handle(m qcop.Message) {
	c.svc.log.Warn("unknown request", "message", m.String())
}

func (c *ServiceChecker) close() { c.closeBase() }
