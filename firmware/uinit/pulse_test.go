package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/board"
	"github.com/ringo-phone/ringo/internal/clock"
	"github.com/ringo-phone/ringo/internal/proctest"
	"github.com/ringo-phone/ringo/internal/testenv"
)

func TestParseMic(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want mic
		err  string
	}{
		{"", mic{}, ""},
		{"tone:700", mic{tone: 700}, ""},
		{"tone:3999", mic{tone: 3999}, ""},
		{"tone:4000", mic{}, "want tone:HZ with HZ a whole number from 20 to 3999"},
		{"tone:loud", mic{}, "want tone:HZ"},
		{"tone:700.5", mic{}, "want tone:HZ"},
		{"file:/mic.wav", mic{}, "want tone:HZ, or nothing"},
	} {
		got, err := parseMic(tc.in)
		if tc.err == "" && (err != nil || got != tc.want) {
			t.Errorf("parseMic(%q) = %+v, %v, want %+v", tc.in, got, err, tc.want)
		}
		if tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("parseMic(%q) = %+v, %v, want an error saying %q", tc.in, got, err, tc.err)
		}
	}
}

func TestNewSoundServerMic(t *testing.T) {
	b := board.QEMUVirt
	if s := newSoundServer(b, "console=ttyAMA0 quiet", discard()); s.mic != (mic{tone: 700}) {
		t.Errorf("qemu-virt's microphone = %+v, want its 700 Hz tone", s.mic)
	}
	if s := newSoundServer(b, "console=ttyAMA0 ringo.mic=tone:440", discard()); s.mic != (mic{tone: 440}) {
		t.Errorf("microphone with ringo.mic=tone:440 = %+v", s.mic)
	}
	var logs proctest.Buffer
	if s := newSoundServer(b, "ringo.mic=loud", slog.New(slog.NewTextHandler(&logs, nil))); s.mic != (mic{tone: 700}) {
		t.Errorf("microphone with a bad ringo.mic= = %+v, want the board's", s.mic)
	}
	logs.WaitFor(t, `ringo.mic= on the kernel command line is ignored`, time.Second)
}

// asoundCards is /proc/asound/cards with the PinePhone's card and QEMU's.
const asoundCards = ` 0 [PinePhone      ]: simple-card - PinePhone
                      PinePhone
 1 [Audio          ]: USB-Audio - QEMU USB Audio
                      QEMU QEMU USB Audio at usb-0000:00:01.0-1, full speed
`

func qemuCard() *board.AudioCard {
	return &board.AudioCard{Card: "Audio", Mic: "tone:700", Latency: 60 * time.Millisecond,
		Modules: []board.Module{{Name: "xhci-pci"}, {Name: "snd-usb-audio"}}}
}

func TestPulseScript(t *testing.T) {
	s := &soundServer{board: "qemu-virt", card: qemuCard(), mic: mic{tone: 700}}
	want := `# Written by uinit before each start of PulseAudio, for board qemu-virt.
.include /etc/pulse/system.pa
load-module module-alsa-sink device=hw:1,0 sink_name=speaker tsched=0 fragments=2 fragment_size=2880
load-module module-null-sink sink_name=mic format=s16le rate=8000 channels=1 sink_properties=device.description=Microphone
load-module module-sine sink=mic frequency=700
load-module module-null-sink sink_name=mic_drain format=s16le rate=8000 channels=1
load-module module-loopback source=mic.monitor sink=mic_drain latency_msec=200 adjust_time=0 source_dont_move=true sink_dont_move=true
set-default-sink speaker
set-default-source mic.monitor
`
	if got := s.script(1, false); got != want {
		t.Errorf("script for qemu-virt's card at 1 =\n%s\nwant\n%s", got, want)
	}
	// Without its card there is no stand-in microphone either.
	want = "# Written by uinit before each start of PulseAudio, for board qemu-virt.\n.include /etc/pulse/system.pa\n"
	if got := s.script(-1, false); got != want {
		t.Errorf("script without the card =\n%s\nwant\n%s", got, want)
	}
	// A real card: its own capture device, PulseAudio's scheduling.
	s = &soundServer{board: "pinephone-1.2", card: &board.AudioCard{Card: "PinePhone"}}
	got := s.script(0, true)
	for _, line := range []string{
		"load-module module-alsa-sink device=hw:0,0 sink_name=speaker\n",
		"load-module module-alsa-source device=hw:0,0 source_name=mic\n",
		"set-default-sink speaker\n", "set-default-source mic\n",
	} {
		if !strings.Contains(got, line) {
			t.Errorf("script for the PinePhone lacks %q:\n%s", line, got)
		}
	}
	if strings.Contains(s.script(0, false), "alsa-source") {
		t.Errorf("script loads a source for a card without a capture device")
	}
}

func TestPulseArgvAndStreamEnv(t *testing.T) {
	got := strings.Join(pulseArgv("/usr/bin/pulseaudio"), " ")
	want := "/usr/bin/pulseaudio --system --disallow-module-loading -n --file=/run/ringo/pulseaudio.pa"
	if got != want {
		t.Errorf("pulseArgv = %q, want %q", got, want)
	}
	if got := streamEnv(qemuCard()); !slices.Equal(got, []string{"PULSE_LATENCY_MSEC=60"}) {
		t.Errorf("streamEnv = %q", got)
	}
	if got := streamEnv(nil); got != nil {
		t.Errorf("streamEnv(nil) = %q, want nothing", got)
	}
}

// The card's fragment size is counted in daemon.conf's default format.
func TestPulseBytesPerMsFollowsDaemonConf(t *testing.T) {
	b, err := os.ReadFile("../../initramfs/rootfs/etc/pulse/daemon.conf")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"default-sample-format = s16le", "default-sample-channels = 1", "default-sample-rate = 48000"} {
		if !strings.Contains(string(b), "\n"+want+"\n") {
			t.Errorf("daemon.conf lacks %q, which pulseBytesPerMs (%d) assumes", want, pulseBytesPerMs)
		}
	}
}

// testRoot is a handset's root with the image's passwd and group.
func testRoot(t *testing.T) string {
	root := t.TempDir()
	for _, f := range []string{"etc/passwd", "etc/group"} {
		b, err := os.ReadFile(filepath.Join("../../initramfs/rootfs", f))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(root, f), string(b))
	}
	return root
}

func writeFile(t *testing.T, path, s string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

// prepare finds the card, hands its devices to the audio group, makes
// the server's state directory its own and /var/run the tmpfs, and
// writes the script.
func TestPreparePulse(t *testing.T) {
	testenv.RequireRoot(t) // the devices and the directory change owners
	root := testRoot(t)
	writeFile(t, filepath.Join(root, "proc/asound/cards"), asoundCards)
	for _, dev := range []string{"pcmC1D0p", "controlC1", "timer"} {
		writeFile(t, filepath.Join(root, "dev/snd", dev), "")
	}
	var loads [][]board.Module
	s := &soundServer{root: root, board: "qemu-virt", card: qemuCard(), mic: mic{tone: 700},
		clock: clock.NewFake(time.Unix(0, 0)), wait: time.Second, poll: 50 * time.Millisecond, log: discard(),
		load: func(ms []board.Module) board.Report { loads = append(loads, ms); return board.Report{} }}
	if err := s.prepare(context.Background()); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(root, pulseScript))
	if err != nil || !strings.Contains(string(b), "device=hw:1,0") {
		t.Errorf("script = %q, %v; want the card at hw:1,0", b, err)
	}
	if fi, err := os.Stat(filepath.Join(root, pulseScript)); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("script's mode = %v, %v; want 0644 (the server reads it as its own user)", fi.Mode(), err)
	}
	for _, dev := range []string{"pcmC1D0p", "controlC1", "timer"} {
		fi, err := os.Stat(filepath.Join(root, "dev/snd", dev))
		if err != nil {
			t.Fatal(err)
		}
		if st := fi.Sys().(*syscall.Stat_t); st.Gid != 29 || fi.Mode().Perm() != 0o660 {
			t.Errorf("/dev/snd/%s: group %d mode %v, want group audio (29) and 0660", dev, st.Gid, fi.Mode().Perm())
		}
	}
	fi, err := os.Stat(filepath.Join(root, "var/lib/pulse"))
	if err != nil {
		t.Fatal(err)
	}
	if st := fi.Sys().(*syscall.Stat_t); st.Uid != 101 || st.Gid != 101 || fi.Mode().Perm() != 0o700 {
		t.Errorf("/var/lib/pulse: %d:%d %v, want pulse's (101:101), 0700", st.Uid, st.Gid, fi.Mode().Perm())
	}
	if l, err := os.Readlink(filepath.Join(root, "var/run")); err != nil || l != "/run" {
		t.Errorf("/var/run -> %q, %v; want /run", l, err)
	}
	// Again, as at a restart: everything is there already, and the
	// card's modules are not loaded twice.
	if err := s.prepare(context.Background()); err != nil {
		t.Errorf("second prepare: %v", err)
	}
	if len(loads) != 1 || len(loads[0]) != 2 || loads[0][1].Name != "snd-usb-audio" {
		t.Errorf("card modules loaded %v, want xhci-pci and snd-usb-audio once", loads)
	}
}

// A card that has not enumerated yet is waited for, on the clock; one
// that never comes leaves the server without it, and says why.
func TestPulseWaitsForTheCard(t *testing.T) {
	testenv.RequireRoot(t)
	root := testRoot(t)
	fake := clock.NewFake(time.Unix(0, 0))
	var logs proctest.Buffer
	s := &soundServer{root: root, board: "qemu-virt", card: qemuCard(), mic: mic{tone: 700},
		clock: fake, wait: time.Second, poll: 100 * time.Millisecond, log: slog.New(slog.NewTextHandler(&logs, nil))}
	errc := make(chan error, 1)
	go func() { errc <- s.prepare(context.Background()) }()
	waitTimer(t, fake)
	fake.Advance(100 * time.Millisecond) // still nothing
	waitTimer(t, fake)
	writeFile(t, filepath.Join(root, "proc/asound/cards"), asoundCards)
	writeFile(t, filepath.Join(root, "dev/snd/pcmC1D0p"), "")
	fake.Advance(100 * time.Millisecond)
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(root, pulseScript)); !strings.Contains(string(b), "module-alsa-sink device=hw:1,0") {
		t.Errorf("script after the card came:\n%s", b)
	}

	os.RemoveAll(filepath.Join(root, "dev/snd"))
	go func() { errc <- s.prepare(context.Background()) }()
	for range 10 {
		waitTimer(t, fake)
		fake.Advance(100 * time.Millisecond)
	}
	if err := <-errc; err != nil {
		t.Fatalf("prepare without the card = %v, want the server started without it", err)
	}
	if b, _ := os.ReadFile(filepath.Join(root, pulseScript)); strings.Contains(string(b), "load-module module-alsa") || strings.Contains(string(b), "module-sine") {
		t.Errorf("script without the card loads it or its microphone:\n%s", b)
	}
	logs.WaitFor(t, `PulseAudio starts without the board's sound card: calls will be silent" err="sound card \"Audio\" (PCM 0) not found after 1s`, 10*time.Second)

	// A stop while waiting ends the wait.
	ctx, cancel := context.WithCancel(context.Background())
	go func() { errc <- s.prepare(ctx) }()
	waitTimer(t, fake)
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("prepare after its context ended = %v, want context.Canceled", err)
	}
}

// waitTimer waits until the code under test has set a timer on fake.
func waitTimer(t *testing.T, fake *clock.Fake) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for fake.Pending() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no timer set within 10 s")
		}
		time.Sleep(time.Millisecond)
	}
}

// The prepare step runs before every start; its failure is a failed
// start, restarted after the backoff. Each output line reaches onLine. A
// quiet daemon's starts go to its own log, its exits to the console's.
func TestSupervisePrepareAndLines(t *testing.T) {
	fake := clock.NewFake(time.Unix(0, 0))
	var logs, out proctest.Buffer
	prepared := 0
	lines := make(chan string, 10)
	d := &daemon{
		name: "prog", argv: []string{"/bin/sh", "-c", "echo ready; exit 125"},
		output: func() (io.WriteCloser, error) { return nopCloser{&out}, nil },
		quiet:  true,
		prepare: func(context.Context) error {
			prepared++
			if prepared == 1 {
				return errors.New("no card yet")
			}
			return nil
		},
		onLine: func(l string) { lines <- l },
		clock:  fake, rand: func() float64 { return 0 }, log: slog.New(slog.NewTextHandler(&logs, nil)),
		minWait: 100 * time.Millisecond, maxWait: time.Second,
	}
	errc := make(chan error, 1)
	go func() { errc <- d.supervise(context.Background()) }()
	logs.WaitFor(t, "restarts=1", 10*time.Second)
	if !strings.Contains(logs.String(), "no card yet") {
		t.Errorf("the failed start's log lacks prepare's error:\n%s", logs.String())
	}
	fake.Advance(100 * time.Millisecond)
	if err := <-errc; err == nil || !strings.Contains(err.Error(), "exited 125") {
		t.Fatalf("supervise = %v, want the program's exit 125", err)
	}
	if prepared != 2 {
		t.Errorf("prepare ran %d times, want 2 (before each start)", prepared)
	}
	out.WaitFor(t, `msg="prog started" category=supervise pid=`, 10*time.Second)
	if strings.Contains(logs.String(), "prog started") {
		t.Errorf("a quiet daemon's start is on the console's log:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "prog asked not to be restarted") {
		t.Errorf("a quiet daemon's exit 125 is not on the console's log:\n%s", logs.String())
	}
	select {
	case l := <-lines:
		if l != "ready" {
			t.Errorf("onLine got %q, want ready", l)
		}
	default:
		t.Error("onLine heard nothing")
	}
}
