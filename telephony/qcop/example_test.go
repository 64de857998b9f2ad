package qcop_test

import (
	"context"
	"log/slog"

	"github.com/ringo-phone/ringo/telephony/bus"
	"github.com/ringo-phone/ringo/telephony/qcop"
)

// An agent's main: keep running while the Telephony service is started.
func ExampleApplication() {
	ctx := context.Background()
	c, err := bus.Dial(ctx, bus.SocketPath("/run/ringo"), bus.ClientOptions{Name: "iaxagent"})
	if err != nil {
		return
	}
	defer c.Close()
	app := qcop.NewApplication(c, "iaxagent", slog.Default())
	app.HandleTelephony(func() {
		app.RegisterRunningTask("IaxTelephonyService")
		// create and Initialize the telephony service here
	}, func() {
		// tear the service down here
		app.UnregisterRunningTask("IaxTelephonyService")
	})
	_ = app.Run(ctx) // returns when the task is released: exit 0
}
