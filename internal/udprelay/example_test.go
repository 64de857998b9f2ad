package udprelay_test

import (
	"fmt"
	"log"
	"net"

	"github.com/ringo-phone/ringo/internal/udprelay"
)

// A test puts the relay between a client and its server: the client talks
// to relay.Addr() instead, and 10 % of datagrams each way are lost, 5 %
// duplicated and 5 % reordered, the same way for the same seed.
func Example() {
	server, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		log.Fatal(err)
	}
	defer server.Close()
	im := udprelay.Impairment{Loss: 0.10, Duplicate: 0.05, Reorder: 0.05}
	relay, err := udprelay.Listen("127.0.0.1:0", udprelay.Config{
		Target: server.LocalAddr().(*net.UDPAddr).AddrPort(), Up: im, Down: im, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	defer relay.Close()
	fmt.Println(relay.Addr().Addr())
	// Output: 127.0.0.1
}
