//go:build linux

package main

import (
	"context"
	"net"
	"strings"
	"testing"

	"github.com/ringo-phone/ringo/telephony/bus"
	"github.com/ringo-phone/ringo/telephony/phoneapi"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

// TestIdleClientsLeaveRoomForTheConsole: 500 connections that say hello
// and then nothing cannot lock phonectl out of phoned (bus clients that
// hold nothing are closed to make room), and the agent keeps its
// connection.
func TestIdleClientsLeaveRoomForTheConsole(t *testing.T) {
	cfg := newConfig(t)
	cfg.agent(t, "fakevoip", "Service = testsvc", "CallTypes = Test")
	cfg.manager.WriteString("[Managers]\ntestsvc = generic\n")
	cfg.write(t)
	rt := t.TempDir()
	p := startPhoned(t, cfg.dir, rt)
	p.waitValue(agentKey("fakevoip", phoneapi.KeyAgentServices), equals(vs.Strings("testsvc")))
	hello, _ := bus.AppendFrame(nil, &bus.Message{Op: bus.OpHello, Version: bus.Version, Name: "idle"}, bus.MaxMessageSize)
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for i := 0; i < 500; i++ {
		nc, err := net.Dial("unix", bus.SocketPath(rt))
		if err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		conns = append(conns, nc)
		if _, err := nc.Write(hello); err != nil {
			t.Fatal(err)
		}
	}
	out, err := p.ctl("status")
	if err != nil {
		t.Fatalf("phonectl status beside 500 idle clients: %v", err)
	}
	if !strings.Contains(out, "testsvc") {
		t.Errorf("phonectl status = %q, want the service listed", out)
	}
	stats, err := p.c.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, st := range stats {
		found = found || (st.Name == "fakevoip" && st.Ended == 0)
	}
	if !found {
		t.Errorf("the agent lost its bus connection to the idle clients: %+v", stats)
	}
}
