package modem_test

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/ringo-phone/ringo/drivers/modem"
)

// A channel on one end of a pipe; a few lines of "modem" on the other.
func Example() {
	port, far := net.Pipe()
	go func() {
		buf := make([]byte, 64)
		far.Read(buf) // AT+CLCC\r
		far.Write([]byte("\r\nRING\r\n\r\n+CLCC: 1,1,4,0,0,\"5551234\",129\r\n\r\nOK\r\n"))
	}()
	ch := modem.NewChannel(port, modem.Options{Timeout: time.Second})
	defer ch.Close()

	r, err := ch.Command(context.Background(), "AT+CLCC")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, l := range r.Lines {
		c, _ := modem.ParseCLCC(l)
		fmt.Println("call", c.Index, c.Stat, c.Number)
	}
	fmt.Println("urc", (<-ch.URCs()).Name)
	// Output:
	// call 1 incoming 5551234
	// urc RING
}
