package telephony

import (
	"github.com/ringo-phone/ringo/telephony/qcop"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

// Request and response message names of QTelephonyConfiguration.
const (
	MsgUpdate       = "update"       // name, value
	MsgRequest      = "request"      // name
	MsgNotification = "notification" // response: name, value
)

// ConfigurationImpl is what an agent implements to be told about
// configuration changes (QTelephonyConfiguration on the server side).
type ConfigurationImpl interface {
	// Update says that the setting name changed (the settings program wrote
	// the file and sends e.g. update("registration", "")).
	Update(name, value string)
	// Request asks for a setting's value; answer with Notify.
	Request(name string)
}

// Configuration serves QTelephonyConfiguration requests. It publishes only
// its channels.
type Configuration struct {
	base
	impl ConfigurationImpl
}

// AddConfiguration adds the interface.
func (s *Service) AddConfiguration(impl ConfigurationImpl) *Configuration {
	c := &Configuration{base: base{svc: s, kind: ConfigurationInterface}, impl: impl}
	s.add(c)
	return c
}

func (c *Configuration) valuesLocked() []vs.Op { return nil }

// Notify answers a Request (or announces a value) on the response channel.
func (c *Configuration) Notify(name, value string) {
	c.respond(MsgNotification, vs.String(name), vs.String(value))
}

func (c *Configuration) handle(m qcop.Message) {
	name, err := m.Str(0)
	if err != nil {
		c.svc.log.Warn("bad request", "message", m.String(), "err", err)
		return
	}
	switch m.Name {
	case MsgUpdate:
		value, _ := m.Str(1)
		c.impl.Update(name, value)
	case MsgRequest:
		c.impl.Request(name)
	default:
		c.svc.log.Warn("unknown request", "message", m.String())
	}
}

func (c *Configuration) close() { c.closeBase() }
