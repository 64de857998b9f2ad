package iax_test

import (
	"context"
	"fmt"
	"log"

	"github.com/ringo-phone/ringo/iax"
)

// A registrar and a handset on loopback: the handset registers, calls
// extension 600, the registrar answers and hangs up.
func Example() {
	ctx := context.Background()
	users := map[string]iax.User{"handset1": {Name: "handset1", Secret: "s3cret", CallerNumber: "201"}}
	pbx, err := iax.Listen(ctx, "127.0.0.1:0", iax.Config{Server: &iax.ServerConfig{
		Users: func(name string) (iax.User, bool) { u, ok := users[name]; return u, ok },
	}})
	if err != nil {
		log.Fatal(err)
	}
	defer pbx.Close()
	phone, err := iax.Listen(ctx, "127.0.0.1:0", iax.Config{})
	if err != nil {
		log.Fatal(err)
	}
	defer phone.Close()

	reg, err := phone.Register(ctx, iax.RegisterOptions{Server: pbx.LocalAddr(), Username: "handset1", Secret: "s3cret"})
	if err != nil {
		log.Fatal(err)
	}
	refresh, _ := reg.Granted()
	fmt.Println("registered for", refresh)

	call, err := phone.Dial(iax.DialOptions{Peer: pbx.LocalAddr(), Called: "600", Username: "handset1", Secret: "s3cret"})
	if err != nil {
		log.Fatal(err)
	}
	in, err := pbx.Accept(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("pbx: call for", in.Info().Called, "from", in.Info().Username)
	in.Answer()
	if err := call.Wait(ctx); err != nil {
		log.Fatal(err)
	}
	fmt.Println("phone: connected,", call.Info().Format)
	in.Hangup(0)
	<-call.Done()
	fmt.Println("phone:", call.State(), call.Err())
	fmt.Println("release:", reg.Release(ctx))
	// Output:
	// registered for 1m0s
	// pbx: call for 600 from handset1
	// phone: connected, ulaw
	// phone: hangup-remote iax: call hung up by peer: "Normal Clearing" (cause 16)
	// release: <nil>
}
