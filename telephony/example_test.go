package telephony_test

import (
	"context"
	"fmt"

	"github.com/ringo-phone/ringo/telephony"
	"github.com/ringo-phone/ringo/telephony/bus"
	"github.com/ringo-phone/ringo/telephony/qcop"
)

type registration struct {
	reg *telephony.NetworkRegistration
}

func (r *registration) SetCurrentOperator(mode telephony.OperatorMode, id, tech string) {
	r.reg.UpdateRegistrationState(telephony.RegistrationHome) // after the real work
}
func (r *registration) RequestAvailableOperators() { r.reg.AvailableOperators(nil) }

type provider struct{}

func (provider) Create(c *telephony.Call) telephony.CallImpl { return nil /* the agent's call */ }

// An agent's whole main, as short as the seed's Asterisk example.
func Example_agent() {
	ctx := context.Background()
	client, err := bus.Dial(ctx, bus.SocketPath("/run/ringo"), bus.ClientOptions{Name: "iaxagent"})
	if err != nil {
		return
	}
	defer client.Close()
	app := qcop.NewApplication(client, "iaxagent", nil)
	var svc *telephony.Service
	app.HandleTelephony(func() {
		if svc != nil {
			return
		}
		app.RegisterRunningTask("IaxTelephonyService")
		svc = telephony.NewService(client, "asterisk")
		r := &registration{}
		r.reg = svc.AddNetworkRegistration(r)
		checker := svc.AddServiceChecker()
		svc.SetCallProvider(provider{}, "Asterisk")
		svc.Initialize(ctx)
		checker.SetValid(true)
	}, func() {
		if svc != nil {
			svc.Close()
			svc = nil
			app.UnregisterRunningTask("IaxTelephonyService")
		}
	})
	app.Run(ctx) // returns nil after Telephony::stop(): exit 0
}

// phonectl's side: read a service and place a call.
func ExampleManager() {
	ctx := context.Background()
	client, err := bus.Dial(ctx, bus.SocketPath("/run/ringo"), bus.ClientOptions{Name: "phonectl"})
	if err != nil {
		return
	}
	defer client.Close()
	m := telephony.NewManager(client)
	st, _ := m.RegistrationState(ctx, "asterisk")
	fmt.Println("asterisk:", st)
	m.WatchCalls(ctx, "asterisk", func(e telephony.CallEvent) {
		for _, c := range e.Calls {
			fmt.Println(c.ID, c.Number, c.State)
		}
	})
	id, err := m.Dial(ctx, "asterisk", "Asterisk", "600")
	fmt.Println(id, err)
}
