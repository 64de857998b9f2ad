package bus

import (
	"net"
	"testing"

	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

// FuzzServerSession sends arbitrary bytes after a valid hello and checks
// that the server survives whatever they decode to: another client keeps
// working, and once the fuzzed connection is gone nothing it published is
// left.
func FuzzServerSession(f *testing.F) {
	var seed []byte
	for _, m := range sampleMessages() {
		seed, _ = AppendFrame(seed, &m, MaxMessageSize)
	}
	f.Add(seed)
	one, _ := AppendFrame(nil, &Message{Op: OpSet, ID: 1, Path: "/a/b", Value: vs.Strings("x")}, MaxMessageSize)
	one, _ = AppendFrame(one, &Message{Op: OpSubscribe, ID: 2, Path: "/"}, MaxMessageSize)
	one, _ = AppendFrame(one, &Message{Op: OpUnsubscribe, ID: 3, Ref: 9}, MaxMessageSize)
	one, _ = AppendFrame(one, &Message{Op: OpListen, ID: 4, Path: ""}, MaxMessageSize)
	one, _ = AppendFrame(one, &Message{Op: OpSend, ID: 5, Path: "", Name: "x"}, MaxMessageSize)
	one, _ = AppendFrame(one, &Message{Op: OpSend, ID: 6, Path: "QPE/Application/x", Name: "x"}, MaxMessageSize)
	f.Add(one)
	f.Add([]byte{0, 0, 0, 2, byte(OpRemove), 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		srv, path := startServer(t, ServerOptions{QueueLimit: 1 << 20})
		ctx := testCtx(t)
		nc, err := net.Dial("unix", path)
		if err != nil {
			t.Fatal(err)
		}
		hello, _ := AppendFrame(nil, &Message{Op: OpHello, Version: Version, Name: "fuzz"}, MaxMessageSize)
		nc.Write(hello)
		if _, err := ReadFrame(nc, nil, MaxMessageSize); err != nil {
			t.Fatalf("no welcome: %v", err)
		}
		go func() {
			// Keep reading so the server never drops us for not reading.
			var buf []byte
			for {
				p, err := ReadFrame(nc, buf, MaxMessageSize)
				if err != nil {
					return
				}
				buf = p
			}
		}()
		nc.Write(data)
		probe := dial(t, path, "probe")
		if err := probe.Set(ctx, "/probe", vs.Int(1)); err != nil {
			t.Fatalf("another client failed: %v", err)
		}
		nc.Close()
		probe.Close()
		srv.Close()
		if left, _ := srv.Tree().Snapshot("/"); len(left) != 0 {
			t.Fatalf("entries left after every client left: %v", left)
		}
	})
}
