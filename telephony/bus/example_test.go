package bus_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/ringo-phone/ringo/telephony/bus"
	"github.com/ringo-phone/ringo/telephony/valuespace"
)

// phoned hosts the bus; vsexplorer-like clients read and watch it.
func Example() {
	dir, _ := os.MkdirTemp("", "ringo")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	srv, err := bus.Listen(bus.SocketPath(dir), bus.ServerOptions{})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	agent, _ := bus.Dial(ctx, bus.SocketPath(dir), bus.ClientOptions{Name: "iaxagent"})
	console, _ := bus.Dial(ctx, bus.SocketPath(dir), bus.ClientOptions{Name: "vsexplorer"})
	defer console.Close()

	gone := make(chan struct{})
	console.Subscribe(ctx, "/Communications", func(b valuespace.Batch) {
		for _, c := range b.Changes {
			fmt.Println(c)
			if c.Removed {
				close(gone)
			}
		}
	})
	agent.Set(ctx, "/Communications/QServiceChecker/asterisk/valid", valuespace.Bool(true))
	agent.Close() // or the agent dies: its entries vanish
	<-gone
	// Output:
	// /Communications/QServiceChecker/asterisk/valid = true
	// /Communications/QServiceChecker/asterisk/valid removed
}
