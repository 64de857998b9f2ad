package pbx_test

import (
	"context"
	"fmt"
	"log"

	"github.com/ringo-phone/ringo/iax"
	"github.com/ringo-phone/ringo/tools/iaxpbx/pbx"
)

// A test starts the embedded peer in process and calls its echo.
func Example() {
	ctx := context.Background()
	p, err := pbx.Listen(ctx, "127.0.0.1:0", pbx.Config{Users: []pbx.User{{Name: "handset1", Secret: "s3cret", Number: "201"}}})
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()
	phone, err := iax.Listen(ctx, "127.0.0.1:0", iax.Config{})
	if err != nil {
		log.Fatal(err)
	}
	defer phone.Close()

	call, err := phone.Dial(iax.DialOptions{Peer: p.Addr(), Called: "600", Username: "handset1", Secret: "s3cret"})
	if err != nil {
		log.Fatal(err)
	}
	if err := call.Wait(ctx); err != nil {
		log.Fatal(err)
	}
	call.SendVoice([]byte("hello"))
	v := <-call.Voice()
	fmt.Printf("%s %s\n", call.Info().Format, v.Payload)
	call.Hangup(0)
	// Output: ulaw hello
}
