package pcaptap

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/internal/testenv"
)

func TestWriterLayout(t *testing.T) {
	var buf bytes.Buffer
	at := time.Unix(1700000000, 123456000)
	w, err := NewWriter(&buf, func() time.Time { return at })
	if err != nil {
		t.Fatal(err)
	}
	src := netip.MustParseAddrPort("127.0.0.1:4569")
	dst := netip.MustParseAddrPort("127.0.0.2:5000")
	if err := w.WriteUDP(src, dst, []byte("hi")); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	if len(b) != 24+16+20+8+2 {
		t.Fatalf("file is %d bytes, want 70", len(b))
	}
	if got := binary.LittleEndian.Uint32(b[20:]); got != linkTypeRaw {
		t.Errorf("link type = %d, want %d", got, linkTypeRaw)
	}
	rec := b[24:]
	if s, us := binary.LittleEndian.Uint32(rec), binary.LittleEndian.Uint32(rec[4:]); s != 1700000000 || us != 123456 {
		t.Errorf("time = %d.%06d", s, us)
	}
	ip := rec[16:]
	if checksum(ip[:20]) != 0 {
		t.Error("IPv4 header checksum does not verify")
	}
	if got := binary.BigEndian.Uint16(ip[20:]); got != 4569 {
		t.Errorf("source port = %d", got)
	}
	if got := binary.BigEndian.Uint16(ip[22:]); got != 5000 {
		t.Errorf("destination port = %d", got)
	}
	if string(ip[28:]) != "hi" {
		t.Errorf("payload = %q", ip[28:])
	}
}

func TestWriterRejectsIPv6(t *testing.T) {
	w, _ := NewWriter(&bytes.Buffer{}, nil)
	err := w.WriteUDP(netip.MustParseAddrPort("[::1]:1"), netip.MustParseAddrPort("127.0.0.1:2"), nil)
	if !errors.Is(err, ErrNotIPv4) {
		t.Errorf("WriteUDP(IPv6) = %v, want ErrNotIPv4", err)
	}
}

// A conversation through two Conns reads back in tshark with the right
// addresses and payloads.
func TestConnReadsInTshark(t *testing.T) {
	tshark := testenv.RequireTool(t, "tshark")
	path := filepath.Join(t.TempDir(), "tap.pcap")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := NewWriter(f, nil)
	if err != nil {
		t.Fatal(err)
	}
	a0, _ := net.ListenPacket("udp", "127.0.0.1:0")
	b, _ := net.ListenPacket("udp", "127.0.0.1:0")
	defer b.Close()
	a := NewConn(a0, w)
	defer a.Close()
	var seen []string
	a.OnPacket = func(sent bool, peer netip.AddrPort, p []byte) { seen = append(seen, string(p)) }
	a.WriteTo([]byte("ping"), b.LocalAddr())
	buf := make([]byte, 16)
	n, from, _ := b.ReadFrom(buf)
	b.WriteTo(buf[:n], from)
	a.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, _, err := a.ReadFrom(buf); err != nil {
		t.Fatal(err)
	}
	f.Close()
	out, err := exec.Command(tshark, "-r", path, "-T", "fields", "-e", "udp.srcport", "-e", "udp.dstport", "-e", "data.data").Output()
	if err != nil {
		t.Fatal(err)
	}
	ap := a.LocalAddr().(*net.UDPAddr).Port
	bp := b.LocalAddr().(*net.UDPAddr).Port
	want := strings.Join([]string{
		itoa(ap) + "\t" + itoa(bp) + "\t70696e67",
		itoa(bp) + "\t" + itoa(ap) + "\t70696e67", ""}, "\n")
	if string(out) != want {
		t.Errorf("tshark reads\n%s\nwant\n%s", out, want)
	}
	if strings.Join(seen, ",") != "ping,ping" || a.Err() != nil {
		t.Errorf("OnPacket saw %v, Err() = %v", seen, a.Err())
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
