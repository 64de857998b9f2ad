package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/internal/proctest"
)

// The end-to-end tests run the real iaxpbx and iaxcli binaries, built once
// by TestMain, as separate processes on loopback.

var binDir string

func TestMain(m *testing.M) {
	code := func() int {
		dir, err := proctest.Build("github.com/ringo-phone/ringo/tools/iaxcli", "github.com/ringo-phone/ringo/tools/iaxpbx")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		binDir = dir
		return m.Run()
	}()
	os.Exit(code)
}

type proc = proctest.Proc

// start runs one of the built programs (or an absolute path).
func start(t testing.TB, name string, args ...string) *proc {
	t.Helper()
	return startTB(t, name, nil, args...)
}

// startTB starts a program with extra environment variables.
func startTB(t testing.TB, name string, env []string, args ...string) *proc {
	t.Helper()
	path := name
	if !filepath.IsAbs(name) {
		path = filepath.Join(binDir, name)
	}
	return proctest.Start(t, path, env, args...)
}

// hasLine reports whether some output line of p matches re.
func hasLine(p *proc, re string) bool { return len(p.Matching(re)) > 0 }

// The test accounts.
const (
	user1, secret1 = "handset1", "s3cret"
	user2, secret2 = "handset2", "other"
)

// pbxConfig is the test accounts in iaxpbx's configuration format.
const pbxConfig = `; accounts for the end-to-end tests
[pbx]
listen = 127.0.0.1:0

[user handset1]
secret = s3cret
number = 201
name = Handset One

[user handset2]
secret = other
number = 202
name = Handset Two
`

// startPBX starts an iaxpbx with the test accounts (from a configuration
// file) and returns it and its address.
func startPBX(t *testing.T, extra ...string) (*proc, string) {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "iaxpbx.conf")
	if err := os.WriteFile(cfg, []byte(pbxConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"-config", cfg, "-record-dir", dir, "-min-refresh", "1s"}, extra...)
	p := start(t, "iaxpbx", args...)
	m := p.WaitLine(`msg=listening category=pbx addr=(127\.0\.0\.1:\d+)`, 10*time.Second)
	return p, m[1]
}

// iaxcli runs iaxcli with the common flags for server, user and secret,
// and a pcap of its traffic that tshark checks when the test ends (see
// decodeCheck): so every frame of every end-to-end test is dissected.
func iaxcli(t *testing.T, mode, server, user, secret string, extra ...string) *proc {
	t.Helper()
	pcap := filepath.Join(t.TempDir(), fmt.Sprintf("iaxcli-%s-%d.pcap", mode, pcapSeq.Add(1)))
	args := append([]string{mode, "-server", server, "-user", user, "-secret", secret, "-local", "127.0.0.1:0", "-pcap", pcap}, extra...)
	p := start(t, "iaxcli", args...)
	called := ""
	for i, a := range extra {
		if a == "-dial" && i+1 < len(extra) {
			called = extra[i+1]
		}
	}
	t.Cleanup(func() {
		if t.Failed() {
			return
		}
		select {
		case <-p.Exited():
		default: // a listener still running: let it leave cleanly
			p.Cmd.Process.Signal(os.Interrupt)
			select {
			case <-p.Exited():
			case <-time.After(10 * time.Second):
				t.Errorf("%s did not leave after an interrupt", pcap)
				return
			}
		}
		m := regexp.MustCompile(`from 127\.0\.0\.1:(\d+)$`)
		port := ""
		for _, l := range p.Matching(`from 127\.0\.0\.1:\d+$`) {
			port = m.FindStringSubmatch(l)[1]
			break
		}
		if port == "" {
			t.Errorf("%s: no local address in the output", pcap)
			return
		}
		decodeCheck(t, pcap, want{clientPort: port, serverPort: portOf(server), user: user, secret: secret,
			called: called, minFrames: 1, needMD5: true, needTokened: true})
	})
	return p
}

var pcapSeq atomic.Int64
