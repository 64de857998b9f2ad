package qcop

import (
	"context"
	"fmt"
	"strings"

	"github.com/ringo-phone/ringo/telephony/bus"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

// Well-known service and message names.
const (
	// ServiceTelephony is the service every telephony agent provides.
	ServiceTelephony = "Telephony"
	// TelephonyStart and TelephonyStop are the messages phoned sends on an
	// agent's application channel.
	TelephonyStart = "Telephony::start()"
	TelephonyStop  = "Telephony::stop()"
)

// ApplicationChannel is the channel a program listens on for service
// messages: QPE/Application/<program>.
func ApplicationChannel(program string) string { return bus.ApplicationChannelPrefix + program }

// RequestChannel is where clients send requests to one interface of one
// service: QPE/Communications/<iface>/Request/<service>.
func RequestChannel(iface, service string) string {
	return "QPE/Communications/" + iface + "/Request/" + service
}

// ResponseChannel is where the service answers and announces changes:
// QPE/Communications/<iface>/Response/<service>.
func ResponseChannel(iface, service string) string {
	return "QPE/Communications/" + iface + "/Response/" + service
}

// Message is a qcop message: a name such as "Telephony::start()" or
// "dial" with typed arguments, on a channel.
type Message struct {
	Channel string
	Name    string
	Args    []vs.Value
	From    vs.Owner // the sender's bus connection (set on receipt)
}

func (m Message) String() string {
	a := make([]string, len(m.Args))
	for i, v := range m.Args {
		a[i] = v.String()
	}
	return m.Channel + " " + m.Name + "(" + strings.Join(a, ", ") + ")"
}

// Service splits a service message name "Service::message(...)" into its
// service and message parts; ok is false for plain names.
func (m Message) Service() (service, message string, ok bool) {
	return strings.Cut(m.Name, "::")
}

func (m Message) arg(i int, k vs.Kind) (vs.Value, error) {
	if i >= len(m.Args) {
		return vs.Value{}, fmt.Errorf("%w: %s has %d arguments, want argument %d", ErrArg, m.Name, len(m.Args), i)
	}
	if m.Args[i].Kind() != k {
		return vs.Value{}, fmt.Errorf("%w: %s argument %d is %s, want %s", ErrArg, m.Name, i, m.Args[i].Kind(), k)
	}
	return m.Args[i], nil
}

// Str returns argument i, which must be a string.
func (m Message) Str(i int) (string, error) {
	v, err := m.arg(i, vs.KindString)
	s, _ := v.Str()
	return s, err
}

// Int returns argument i, which must be an int.
func (m Message) Int(i int) (int64, error) {
	v, err := m.arg(i, vs.KindInt)
	n, _ := v.Int()
	return n, err
}

// Bool returns argument i, which must be a bool.
func (m Message) Bool(i int) (bool, error) {
	v, err := m.arg(i, vs.KindBool)
	b, _ := v.Bool()
	return b, err
}

// List returns argument i, which must be a string list.
func (m Message) List(i int) ([]string, error) {
	v, err := m.arg(i, vs.KindStrings)
	l, _ := v.List()
	return l, err
}

// FromDelivery converts what the bus delivered.
func FromDelivery(d bus.Delivery) Message {
	return Message{Channel: d.Channel, Name: d.Name, Args: d.Args, From: d.From}
}

// Send delivers m to the listeners of m.Channel and fails with
// ErrNoReceiver when there are none (unless the server held it for an
// application that has not started listening yet).
func Send(ctx context.Context, c *bus.Client, m Message) error {
	n, held, err := c.SendHeld(ctx, m.Channel, m.Name, m.Args...)
	if err != nil {
		return err
	}
	if n == 0 && !held {
		return fmt.Errorf("%w: %s", ErrNoReceiver, m.Channel)
	}
	return nil
}

// Listen calls fn for every message on channel, on the client's dispatch
// goroutine.
func Listen(ctx context.Context, c *bus.Client, channel string, fn func(Message)) (*bus.Listener, error) {
	return c.Listen(ctx, channel, func(d bus.Delivery) { fn(FromDelivery(d)) })
}
