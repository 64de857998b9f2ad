package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// pcapRecords counts the datagrams of a pcap file that iaxcli wrote.
func pcapRecords(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 24 {
		t.Fatalf("%s: %d bytes, not a pcap file", path, len(b))
	}
	n := 0
	for b = b[24:]; len(b) >= 16; n++ {
		caplen := int(binary.LittleEndian.Uint32(b[8:]))
		if len(b) < 16+caplen {
			t.Fatalf("%s: record %d cut short", path, n)
		}
		b = b[16+caplen:]
	}
	return n
}

// reservedPort is a loopback port where nothing listens: bound, noted
// and closed again.
func reservedPort(t *testing.T) string {
	t.Helper()
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := c.LocalAddr().String()
	c.Close()
	return addr
}

// iaxcli against a port where nothing listens fails after its first
// REGREQ, long before the first retransmission would be due, and says
// why in words.
func TestRegisterNothingListening(t *testing.T) {
	t.Parallel()
	server := reservedPort(t)
	pcap := filepath.Join(t.TempDir(), "closed.pcap")
	// The first retransmission would be due after 5 s, the last of the
	// three attempts after more than a minute.
	const firstRetransmission = 5 * time.Second
	started := time.Now()
	c := start(t, "iaxcli", "register", "-server", server, "-user", user1, "-secret", secret1,
		"-local", "127.0.0.1:0", "-pcap", pcap, "-rtx-initial", firstRetransmission.String(), "-rtx-max", "10s")
	select {
	case <-c.Exited():
	case <-time.After(30 * time.Second):
		t.Fatal("iaxcli still runs 30 s after registering at a closed port")
	}
	took := time.Since(started)
	err := c.Wait(time.Second)
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("iaxcli exited with %v, want exit status 1", err)
	}
	if took >= firstRetransmission/2 {
		t.Errorf("iaxcli took %v to fail, want well within the %v before a retransmission", took, firstRetransmission)
	}
	if got := len(c.Matching(`^> REGREQ`)); got != 1 {
		t.Errorf("iaxcli printed %d REGREQs, want 1", got)
	}
	if got := pcapRecords(t, pcap); got != 1 {
		t.Errorf("the pcap holds %d datagrams, want the one REGREQ", got)
	}
	want := `^iaxcli: registration: nothing listening at ` + regexp.QuoteMeta(server) + ` \(ICMP port unreachable\): check the server's address and port`
	if !hasLine(c, want) {
		t.Errorf("iaxcli does not say that nothing listens at %s (want a line matching %q)", server, want)
	}
	if !hasLine(c, `^summary: registration frames sent 1 received 0 retransmissions 0 `) {
		t.Error("the summary does not say one REGREQ went out and none again")
	}
	if hasLine(c, "context deadline exceeded") {
		t.Error("iaxcli reports a raw context deadline")
	}
}

// A server that takes the datagrams and never answers: iaxcli says from
// where no answer came, after how many tries and how long, and its
// summary counts every REGREQ it printed.
func TestRegisterNoAnswer(t *testing.T) {
	t.Parallel()
	silent, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	server := silent.LocalAddr().String()
	timing := []string{"-rtx-initial", "50ms", "-rtx-min", "50ms", "-rtx-max", "100ms", "-rtx-tries", "3", "-retry-min", "100ms"}
	for _, tc := range []struct {
		name  string
		extra []string
		tries string // "" when it depends on timing
	}{
		{"the attempts run out", []string{"-attempts", "2"}, "6"},
		{"-timeout runs out", []string{"-attempts", "0", "-timeout", "450ms"}, ""},
	} {
		args := append([]string{"register", "-server", server, "-user", user1, "-secret", secret1, "-local", "127.0.0.1:0"}, timing...)
		c := start(t, "iaxcli", append(args, tc.extra...)...)
		if err := c.Wait(20 * time.Second); err == nil {
			t.Fatalf("%s: iaxcli exited 0", tc.name)
		}
		sent := len(c.Matching(`^> REGREQ`))
		tries := tc.tries
		if tries == "" {
			tries = strconv.Itoa(sent)
		}
		if n, _ := strconv.Atoi(tries); sent != n {
			t.Errorf("%s: iaxcli printed %d REGREQs, want %s", tc.name, sent, tries)
		}
		want := `^iaxcli: registration: no answer from ` + regexp.QuoteMeta(server) + ` after ` + tries + ` tries over \d+(\.\d+)?m?s \(REGREQ not acknowledged\)`
		if !hasLine(c, want) {
			t.Errorf("%s: no line matching %q", tc.name, want)
		}
		m := c.Matching(`^summary: registration frames sent \d+ received 0 retransmissions \d+ `)
		if len(m) != 1 {
			t.Fatalf("%s: no summary", tc.name)
		}
		var s, r int
		if _, err := fmt.Sscanf(m[0], "summary: registration frames sent %d received 0 retransmissions %d", &s, &r); err != nil || s+r != sent {
			t.Errorf("%s: summary %q counts %d+%d frames, want the %d REGREQs printed", tc.name, m[0], s, r, sent)
		}
		if hasLine(c, "context deadline exceeded") {
			t.Errorf("%s: iaxcli reports a raw context deadline", tc.name)
		}
	}
}

// The PBX stops (SIGSTOP) mid-call: its port stays open, so no ICMP
// report comes, and the caller notices from its PINGs going unanswered.
func TestPeerFrozen(t *testing.T) {
	t.Parallel()
	pbx, addr := startPBX(t)
	c := iaxcli(t, "call", addr, user1, secret1, "-dial", "600", "-duration", "60s",
		"-ping", "200ms", "-rtx-initial", "100ms", "-rtx-min", "100ms", "-rtx-max", "200ms", "-rtx-tries", "3")
	c.WaitLine(`^state connected$`, 10*time.Second)
	if err := pbx.Cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	defer pbx.Cmd.Process.Kill()
	select {
	case <-c.Exited():
	case <-time.After(10 * time.Second):
		t.Fatal("iaxcli still runs 10 s after its peer stopped")
	}
	if !hasLine(c, `^state failed: no answer from `+regexp.QuoteMeta(addr)+` after 3 tries over \S+ \(.+ not acknowledged\)$`) {
		t.Error("iaxcli does not say from where no answer came")
	}
}
