package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/ringo-phone/ringo/telephony"
	"github.com/ringo-phone/ringo/telephony/bus"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

// bootSteps keeps the guest's uptime at each step of the bring-up (uinit
// up, modules loaded, phoned started, the first service published, the
// first registration Home) and prints them as one line once Home is
// reached: where a boot's time went, for a person and for the boot
// benchmark (tools/hil).
type bootSteps struct {
	mu    sync.Mutex
	steps []bootStep
}

type bootStep struct {
	name string
	at   float64 // seconds of uptime
}

// mark records a step; only a step's first mark counts.
func (s *bootSteps) mark(name string, at float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, st := range s.steps {
		if st.name == name {
			return
		}
	}
	s.steps = append(s.steps, bootStep{name, at})
}

// line is the report: "ringo: boot steps (uptime): kernel → uinit 1.98 s,
// modules 2.31 s, ...", in the order the steps were marked.
func (s *bootSteps) line() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	parts := make([]string, len(s.steps))
	for i, st := range s.steps {
		parts[i] = fmt.Sprintf("%s %.2f s", st.name, st.at)
	}
	return "ringo: boot steps (uptime): " + strings.Join(parts, ", ")
}

// homePollInterval is how often watchHome tries phoned's bus until it is
// up.
const homePollInterval = 20 * time.Millisecond

// errNoHome is a boot in which no service reached Home before the watch
// ended.
var errNoHome = errors.New("no service registered Home")

// watchHome waits for phoned's bus at socket, then marks on steps the
// first service published ("service NAME") and the first registration
// state Home ("NAME Home"), and writes steps' line to each of out once
// Home is reached. It reads only (one subscription to /Communications),
// so it is never on the console's input path, and it ends at Home or
// when ctx ends. uptime reads the guest's clock.
func watchHome(ctx context.Context, socket string, uptime func() float64, steps *bootSteps, out ...io.Writer) error {
	var c *bus.Client
	for {
		var err error
		if c, err = bus.Dial(ctx, socket, bus.ClientOptions{Name: "uinit"}); err == nil {
			break
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w: phoned's bus %s never answered: %w", errNoHome, socket, err)
		case <-time.After(homePollInterval):
		}
	}
	defer c.Close()
	home := make(chan struct{})
	var once sync.Once
	sub, err := c.Subscribe(ctx, telephony.CommunicationsPath, func(b vs.Batch) {
		for _, ch := range b.Changes {
			if ch.Removed {
				continue
			}
			iface, service, key, ok := serviceKey(ch.Path)
			if !ok {
				continue
			}
			switch {
			case key == telephony.KeyRequestChannel:
				steps.mark("service "+service, uptime())
			case iface == string(telephony.NetworkRegistrationInterface) && key == telephony.KeyRegistrationState:
				s, _ := ch.Value.Str()
				if st, err := telephony.ParseRegistrationState(s); err == nil && st == telephony.RegistrationHome {
					at := uptime()
					steps.mark("service "+service, at) // Home implies published
					steps.mark(service+" Home", at)
					once.Do(func() { close(home) })
				}
			}
		}
	})
	if err != nil {
		return fmt.Errorf("watch for Home on %s: %w", socket, err)
	}
	defer sub.Close()
	select {
	case <-home:
	case <-ctx.Done():
		return fmt.Errorf("%w: %w", errNoHome, ctx.Err())
	}
	line := steps.line() + "\n"
	for _, w := range out {
		io.WriteString(w, line)
	}
	return nil
}

// serviceKey splits /Communications/<iface>/<service>/<key>.
func serviceKey(path string) (iface, service, key string, ok bool) {
	rest, ok := strings.CutPrefix(path, telephony.CommunicationsPath+"/")
	if !ok {
		return "", "", "", false
	}
	parts := strings.Split(rest, "/")
	if len(parts) != 3 {
		return "", "", "", false
	}
	return parts[0], parts[1], parts[2], true
}
