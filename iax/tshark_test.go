package iax

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/iax/internal/pcapng"
	"github.com/ringo-phone/ringo/internal/testenv"
)

// tapConn records every datagram an endpoint sends.
type tapConn struct {
	net.PacketConn
	mu  *sync.Mutex
	log *[]tapped
}

type tapped struct {
	at       time.Time
	src, dst *net.UDPAddr
	b        []byte
}

func (c tapConn) WriteTo(b []byte, to net.Addr) (int, error) {
	c.mu.Lock()
	*c.log = append(*c.log, tapped{time.Now(), c.LocalAddr().(*net.UDPAddr), to.(*net.UDPAddr), append([]byte(nil), b...)})
	c.mu.Unlock()
	return c.PacketConn.WriteTo(b, to)
}

// Wireshark's IAX2 dissector, an independent implementation, reads every
// frame our client and server exchange (registration with calltoken and
// MD5, a call with voice, DTMF and text, hangup, release) without a
// malformed packet, and decodes the fields we meant.
func TestTsharkDissectsOurFrames(t *testing.T) {
	tshark := testenv.RequireTool(t, "tshark")
	var (
		mu  sync.Mutex
		log []tapped
	)
	listen := func(cfg Config) *Endpoint {
		conn, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		e := New(tapConn{conn, &mu, &log}, cfg)
		t.Cleanup(func() { e.Close() })
		return e
	}
	srv := listen(Config{Server: serverConfig()})
	cli := listen(Config{})

	reg, err := cli.Register(t.Context(), RegisterOptions{Server: srv.LocalAddr(), Username: "handset1", Secret: "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := cli.Dial(DialOptions{Peer: srv.LocalAddr(), Called: "600", Username: "handset1", Secret: "s3cret", CallingNumber: "201", CallingName: "Handset One"})
	if err != nil {
		t.Fatal(err)
	}
	in, err := srv.Accept(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	in.Answer()
	if err := c.Wait(t.Context()); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		c.SendVoice(make([]byte, 160))
		if v := <-in.Voice(); len(v.Payload) != 160 {
			t.Fatalf("voice %d: %d bytes", i, len(v.Payload))
		}
	}
	c.DTMFBegin('7')
	c.DTMFEnd('7')
	c.SendText("hi")
	for ev := range in.Events() {
		if ev.Type == EventText {
			break
		}
	}
	c.Hangup(0)
	<-in.Done()
	if err := reg.Release(t.Context()); err != nil {
		t.Fatal(err)
	}
	cli.Close()
	srv.Close()

	path := filepath.Join(t.TempDir(), "ours.pcapng")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := pcapng.NewWriter(f, pcapng.LinkRaw)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range log {
		ip, err := pcapng.IPv4UDP(p.src.AddrPort(), p.dst.AddrPort(), p.b)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.WritePacket(p.at, ip); err != nil {
			t.Fatal(err)
		}
	}
	f.Close()

	port := srv.LocalAddr().Port()
	run := func(args ...string) string {
		t.Helper()
		args = append([]string{"-r", path, "-d", "udp.port==" + strconv.Itoa(int(port)) + ",iax2"}, args...)
		cmd := exec.CommandContext(t.Context(), tshark, args...)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("tshark %v: %v\n%s", args, err, stderr.String())
		}
		return string(out)
	}
	if bad := strings.TrimSpace(run("-Y", "_ws.malformed || _ws.expert.severity >= \"warning\"")); bad != "" {
		t.Errorf("tshark finds malformed or suspicious frames:\n%s", bad)
	}
	// One row per frame: packet type, IAX command, called number, DTMF.
	var cmds, dtmf []string
	var frames, minis int
	called := ""
	rows := run("-T", "fields", "-E", "separator=|", "-e", "iax2.packet_type", "-e", "iax2.iax.subclass", "-e", "iax2.iax.called_number", "-e", "iax2.dtmf.subclass")
	for _, row := range strings.Split(strings.TrimSpace(rows), "\n") {
		col := strings.Split(row, "|")
		if len(col) != 4 || col[0] == "" {
			continue
		}
		frames++
		if col[0] == "0" {
			minis++
		}
		if col[1] != "" {
			cmds = append(cmds, col[1])
		}
		if col[2] != "" && called == "" {
			called = col[2]
		}
		if col[3] != "" {
			dtmf = append(dtmf, col[3])
		}
	}
	if frames != len(log) {
		t.Errorf("tshark decodes %d IAX2 frames, we sent %d", frames, len(log))
	}
	want := []string{"13", "40", "13", "14", "13", "15"} // REGREQ, CALLTOKEN, REGREQ, REGAUTH, REGREQ, REGACK
	if len(cmds) < len(want) || strings.Join(cmds[:len(want)], " ") != strings.Join(want, " ") {
		t.Errorf("tshark sees commands %v, want them to start with %v", cmds, want)
	}
	if called != "600" {
		t.Errorf("tshark reads called number %q, want 600", called)
	}
	if strings.Join(dtmf, "") != "77" {
		t.Errorf("tshark reads DTMF %v, want 7 (begin) and 7 (end)", dtmf)
	}
	if minis != 2 {
		t.Errorf("tshark sees %d mini frames, want 2 (the first voice frame is full)", minis)
	}
}
