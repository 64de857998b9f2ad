package telephony

import (
	"context"
	"slices"
	"strings"

	"github.com/ringo-phone/ringo/telephony/bus"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

// WatchServices calls fn with the sorted names of the initialized services
// (those with a requestChannel published for some interface) now and
// whenever the list changes: a service appears on Initialize and
// disappears on Close or when its agent dies. fn runs on the bus client's
// dispatch goroutine.
func (m *Manager) WatchServices(ctx context.Context, fn func(services []string)) (*bus.Subscription, error) {
	// channels counts the published requestChannel keys per service.
	channels := make(map[string]map[string]bool)
	var last []string
	first := true
	return m.c.Subscribe(ctx, CommunicationsPath, func(b vs.Batch) {
		for _, c := range b.Changes {
			iface, service, ok := serviceOfChannelKey(c.Path)
			if !ok {
				continue
			}
			if c.Removed {
				delete(channels[service], iface)
				if len(channels[service]) == 0 {
					delete(channels, service)
				}
				continue
			}
			if channels[service] == nil {
				channels[service] = make(map[string]bool)
			}
			channels[service][iface] = true
		}
		now := make([]string, 0, len(channels))
		for s := range channels {
			now = append(now, s)
		}
		slices.Sort(now)
		if first || !slices.Equal(now, last) {
			first = false
			last = now
			fn(slices.Clone(now))
		}
	})
}

// serviceOfChannelKey recognises /Communications/<iface>/<service>/requestChannel.
func serviceOfChannelKey(path string) (iface, service string, ok bool) {
	rest, ok := strings.CutPrefix(path, CommunicationsPath+"/")
	if !ok {
		return "", "", false
	}
	parts := strings.Split(rest, "/")
	if len(parts) != 3 || parts[2] != KeyRequestChannel {
		return "", "", false
	}
	return parts[0], parts[1], true
}

// WatchRegistration calls fn with service's registration now (if
// published) and after every change, on the dispatch goroutine. When the
// service disappears fn gets ok false.
func (m *Manager) WatchRegistration(ctx context.Context, service string, fn func(r Registration, ok bool)) (*bus.Subscription, error) {
	base := InterfacePath(NetworkRegistrationInterface, service)
	values := make(map[string]string)
	return m.c.Subscribe(ctx, base, func(b vs.Batch) {
		for _, c := range b.Changes {
			key := strings.TrimPrefix(c.Path, base+"/")
			if c.Removed {
				delete(values, key)
				continue
			}
			s, _ := c.Value.Str()
			values[key] = s
		}
		st, have := values[KeyRegistrationState]
		if !have {
			if !b.Initial {
				fn(Registration{}, false)
			}
			return
		}
		var r Registration
		r.State, _ = ParseRegistrationState(st)
		r.Mode, _ = ParseOperatorMode(values[KeyOperatorMode])
		r.Operator = values[KeyCurrentOperator]
		r.OperatorID = values[KeyOperatorID]
		r.Technology = values[KeyTechnology]
		fn(r, true)
	})
}
