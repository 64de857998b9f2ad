package phoneapi_test

import (
	"context"
	"fmt"

	"github.com/ringo-phone/ringo/telephony/bus"
	"github.com/ringo-phone/ringo/telephony/phoneapi"
)

// A console tool asks phoned to place a call; phoned picks the service with
// its call policy managers.
func ExampleDial() {
	ctx := context.Background()
	c, err := bus.Dial(ctx, bus.SocketPath("/run/ringo"), bus.ClientOptions{Name: "phonectl"})
	if err != nil {
		return
	}
	defer c.Close()
	call, err := phoneapi.Dial(ctx, c, "600", "")
	if err != nil {
		fmt.Println(err) // e.g. "dial refused: policy: no network: No Asterisk network"
		return
	}
	fmt.Println(call.ID, call.Service, call.CallType)
}
