package codec_test

import (
	"context"
	"fmt"

	"github.com/ringo-phone/ringo/drivers/codec"
	"periph.io/x/conn/v3/i2c/i2ctest"
)

// A call on the earpiece: power up, route, open the microphone. On a
// board the bus is an smbus.Bus the board opened; here a recorder.
func ExampleTLV320AIC3104() {
	bus := &i2ctest.Record{}
	c, err := codec.NewTLV320AIC3104(bus, codec.TLV320AIC3104Addr)
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	for _, step := range []func() error{
		func() error { return c.PowerUp(ctx) },
		func() error { return c.Route(ctx, codec.RouteEarpiece) },
		func() error { return c.SetMicMuted(ctx, false) },
	} {
		if err := step(); err != nil {
			fmt.Println(err)
			return
		}
	}
	last := bus.Ops[len(bus.Ops)-3]
	fmt.Printf("%s: register %d = 0x%02x\n", c, last.W[0], last.W[1])
	// Output: TLV320AIC3104 at 0x18 on record: register 51 = 0x0d
}
