//go:build linux

package main

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/telephony/phoneapi"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

// TestIncomingCallNotice: an incoming call prints one line on the console
// phoned was given (-notices), with the caller id made printable.
func TestIncomingCallNotice(t *testing.T) {
	ctx := context.Background()
	fifo := filepath.Join(t.TempDir(), "console")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	// The reader opens first, so phoned's open for writing does not wait.
	console, err := os.OpenFile(fifo, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer console.Close()
	cfg := newConfig(t)
	cfg.agent(t, "fakevoip", "Service = testsvc", "CallTypes = Test")
	cfg.manager.WriteString("[Managers]\ntestsvc = generic\n")
	cfg.write(t)
	p := startPhoned(t, cfg.dir, t.TempDir(), "-notices", fifo)
	p.waitValue(agentKey("fakevoip", phoneapi.KeyAgentServices), equals(vs.Strings("testsvc")))
	if err := p.m.UpdateConfiguration(ctx, "testsvc", "incoming", "5551234\x1b[2J"); err != nil {
		t.Fatal(err)
	}
	console.SetReadDeadline(time.Now().Add(waitLimit))
	r := bufio.NewReader(console)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("no incoming-call notice on the console: %v", err)
		}
		if strings.Contains(line, "incoming call") {
			want := `ringo: incoming call from 5551234\x1b[2J on testsvc — phonectl answer, or phonectl hangup to reject`
			if strings.TrimSpace(line) != want {
				t.Errorf("notice = %q, want %q", strings.TrimSpace(line), want)
			}
			break
		}
	}
}
