package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ringo-phone/ringo/board"
	"github.com/ringo-phone/ringo/internal/clock"
)

// PulseAudio runs in system mode (its own user, "pulse"), configured by
// /etc/pulse (the image's) and by a start-up script uinit writes before
// each start: ours first, then the board's card and microphone.
const (
	pulseLog    = "/run/ringo/log/pulseaudio.log"
	pulseScript = "/run/ringo/pulseaudio.pa"
	// pulseReady is the line PulseAudio prints (log level info) once its
	// socket is up.
	pulseReady = "Daemon startup complete."
)

// cardWait bounds how long a start of PulseAudio waits for the board's
// card: a USB card enumerates a second or so after its controller's
// module loads, under emulation.
const cardWait = 10 * time.Second

// soundServer is what uinit needs to start PulseAudio on a board.
type soundServer struct {
	root  string           // "/" on the handset, a test's directory otherwise
	board string           // the board's name, for the script's header
	card  *board.AudioCard // nil: the board has none
	mic   mic
	clock clock.Clock
	wait  time.Duration // for the card to appear
	poll  time.Duration // between looks
	log   *slog.Logger
	// load loads the card's modules (nil: none are loaded); the first
	// prepare calls it.
	load   func([]board.Module) board.Report
	loaded bool
}

// mic is what PulseAudio offers as the microphone when the card has none.
type mic struct {
	tone int // Hz; 0: the card's own capture device
}

// parseMic reads a board's Mic setting or ringo.mic= ("tone:HZ", or
// empty for the card's own capture device).
func parseMic(s string) (mic, error) {
	kind, arg, _ := strings.Cut(s, ":")
	switch kind {
	case "":
		return mic{}, nil
	case "tone":
		hz, err := strconv.Atoi(arg)
		// Calls are sampled at 8 kHz: a tone must stay below 4 kHz.
		if err != nil || hz < 20 || hz >= 4000 {
			return mic{}, fmt.Errorf("microphone %q: want tone:HZ with HZ a whole number from 20 to 3999 (calls are sampled at 8 kHz)", s)
		}
		return mic{tone: hz}, nil
	}
	return mic{}, fmt.Errorf("microphone %q: want tone:HZ, or nothing for the card's own capture device", s)
}

// micParam is the kernel command line parameter that overrides the
// board's stand-in microphone (a test's choice).
const micParam = "ringo.mic"

// findCard waits up to s.wait for the board's card and its playback PCM.
func (s *soundServer) findCard(ctx context.Context) (int, error) {
	deadline := s.clock.Now().Add(s.wait)
	for {
		b, _ := os.ReadFile(filepath.Join(s.root, "proc/asound/cards"))
		if n, ok := board.CardIndex(b, s.card.Card); ok {
			pcm := filepath.Join(s.root, fmt.Sprintf("dev/snd/pcmC%dD%dp", n, s.card.Device))
			if _, err := os.Stat(pcm); err == nil {
				return n, nil
			}
		}
		if !s.clock.Now().Before(deadline) {
			return 0, fmt.Errorf("sound card %q (PCM %d) not found after %v; /proc/asound/cards lists:\n%s",
				s.card.Card, s.card.Device, s.wait, strings.TrimRight(string(b), "\n"))
		}
		tick := make(chan struct{})
		t := s.clock.AfterFunc(s.poll, func() { close(tick) })
		select {
		case <-tick:
		case <-ctx.Done():
			t.Stop()
			return 0, ctx.Err()
		}
	}
}

// script returns the start-up script for a card found at index card (-1:
// none; capture says whether it has a capture PCM), and the microphone.
func (s *soundServer) script(card int, capture bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Written by uinit before each start of PulseAudio, for board %s.\n", s.board)
	b.WriteString(".include /etc/pulse/system.pa\n")
	sink, source := "", ""
	if card >= 0 {
		dev := fmt.Sprintf("hw:%d,%d", card, s.card.Device)
		// A card with a latency is driven by its interrupts, in two
		// periods of half of it, not by PulseAudio's timer-based
		// scheduling, which an emulated card cannot follow.
		sched := ""
		if s.card.Latency > 0 {
			period := int(s.card.Latency / 2 / time.Millisecond)
			sched = fmt.Sprintf(" tsched=0 fragments=2 fragment_size=%d", max(period, 1)*pulseBytesPerMs)
		}
		fmt.Fprintf(&b, "load-module module-alsa-sink device=%s sink_name=speaker%s\n", dev, sched)
		sink = "speaker"
		if s.mic == (mic{}) && capture {
			fmt.Fprintf(&b, "load-module module-alsa-source device=%s source_name=mic%s\n", dev, sched)
			source = "mic"
		}
	}
	// A stand-in microphone is a null sink that something plays into,
	// recorded from its monitor (module-sine-source pushes its audio in
	// 2 s blocks: no good for a call). It belongs to the card it stands
	// in for: without the card, calls fall back to silence both ways.
	if card >= 0 && s.mic.tone > 0 {
		b.WriteString("load-module module-null-sink sink_name=mic format=s16le rate=8000 channels=1 sink_properties=device.description=Microphone\n")
		fmt.Fprintf(&b, "load-module module-sine sink=mic frequency=%d\n", s.mic.tone)
		// A loopback from the microphone's monitor into a second null
		// sink asks the microphone's sink for short blocks at all
		// times: recorded only by a call now and then, a null sink
		// renders in blocks as long as its largest latency, and a
		// call's first audio waited seconds for one (measured: the
		// microphone back from 600 after 8 s without the loopback,
		// 1.9 s with it). 200 ms without rate adjustment costs 6 % of
		// an emulated core idle; 40 ms cost 29 % (docs/PERFORMANCE.md).
		b.WriteString("load-module module-null-sink sink_name=mic_drain format=s16le rate=8000 channels=1\n")
		b.WriteString("load-module module-loopback source=mic.monitor sink=mic_drain latency_msec=200 adjust_time=0 source_dont_move=true sink_dont_move=true\n")
		source = "mic.monitor"
	}
	if sink != "" {
		fmt.Fprintf(&b, "set-default-sink %s\n", sink)
	}
	if source != "" {
		fmt.Fprintf(&b, "set-default-source %s\n", source)
	}
	return b.String()
}

// prepare runs before each start of PulseAudio: it waits for the board's
// card, lets the server's user open it, makes the server's state
// directory, and writes the start-up script. A card that does not come
// is not an error: the server runs without it (calls then fall back to
// silence, and the agent says so).
func (s *soundServer) prepare(ctx context.Context) error {
	if s.card != nil && len(s.card.Modules) > 0 && s.load != nil && !s.loaded {
		s.loaded = true
		if rep := s.load(s.card.Modules); rep.Failed() {
			s.log.Warn("the sound card's modules did not all load", "report", rep.String())
		}
	}
	card, capture := -1, false
	if s.card != nil {
		n, err := s.findCard(ctx)
		switch {
		case err == nil:
			card = n
			_, err := os.Stat(filepath.Join(s.root, fmt.Sprintf("dev/snd/pcmC%dD%dc", n, s.card.Device)))
			capture = err == nil
			if !capture && s.mic == (mic{}) {
				s.log.Warn("the board's sound card has no capture device and the board names no microphone: calls send silence", "card", s.card.Card)
			}
		case ctx.Err() != nil:
			return err
		default:
			s.log.Warn("PulseAudio starts without the board's sound card: calls will be silent", "err", err)
		}
	}
	uid, gid, err := lookupUser(filepath.Join(s.root, "etc/passwd"), "pulse")
	if err != nil {
		return fmt.Errorf("PulseAudio's system user: %w", err)
	}
	audio, err := lookupGroup(filepath.Join(s.root, "etc/group"), "audio")
	if err != nil {
		return fmt.Errorf("the sound devices' group: %w", err)
	}
	// devtmpfs makes the sound devices root's alone (there is no udev to
	// hand them to the audio group).
	snd, _ := filepath.Glob(filepath.Join(s.root, "dev/snd/*"))
	for _, dev := range snd {
		if err := os.Chown(dev, 0, audio); err != nil {
			return fmt.Errorf("sound device: %w", err)
		}
		if err := os.Chmod(dev, 0o660); err != nil {
			return fmt.Errorf("sound device: %w", err)
		}
	}
	// System mode keeps its runtime directory (the socket's, /run/pulse)
	// at /var/run/pulse: /var/run is /run, the tmpfs uinit mounted.
	varRun := filepath.Join(s.root, "var/run")
	if _, err := os.Lstat(varRun); errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(filepath.Dir(varRun), 0o755); err != nil {
			return err
		}
		if err := os.Symlink("/run", varRun); err != nil {
			return fmt.Errorf("PulseAudio's runtime directory: %w", err)
		}
	}
	state := filepath.Join(s.root, "var/lib/pulse")
	if err := os.MkdirAll(state, 0o700); err != nil {
		return fmt.Errorf("PulseAudio's state directory: %w", err)
	}
	if err := os.Chown(state, uid, gid); err != nil {
		return fmt.Errorf("PulseAudio's state directory: %w", err)
	}
	path := filepath.Join(s.root, pulseScript)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	// The server reads it as its own user.
	if err := writeFileAtomic(path, []byte(s.script(card, capture)), 0o644); err != nil {
		return fmt.Errorf("PulseAudio's start-up script: %w", err)
	}
	return nil
}

func writeFileAtomic(path string, b []byte, mode os.FileMode) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, mode); err != nil {
		return err
	}
	if err := os.Chmod(tmp, mode); err != nil { // whatever the umask
		return err
	}
	return os.Rename(tmp, path)
}

// pulseBytesPerMs is a millisecond of audio in the sample format
// module-alsa-sink asks a card for, /etc/pulse/daemon.conf's default
// (s16le, one channel, 48000 Hz), in which its fragment_size is counted.
const pulseBytesPerMs = 2 * 1 * 48

// pulseArgv is PulseAudio's command line: system mode, and only uinit's
// script (which includes /etc/pulse/system.pa).
func pulseArgv(binary string) []string {
	return []string{binary, "--system", "--disallow-module-loading", "-n", "--file=" + pulseScript}
}

// streamEnv is what the programs that play and record calls (the agent,
// through phoned) get in their environment for the board's card: its
// latency as libpulse's PULSE_LATENCY_MSEC, which drivers/audio/pulse
// reads too.
func streamEnv(card *board.AudioCard) []string {
	if card == nil || card.Latency <= 0 {
		return nil
	}
	return []string{fmt.Sprintf("PULSE_LATENCY_MSEC=%d", card.Latency/time.Millisecond)}
}

var errNoEntry = errors.New("no such entry")

// lookupUser reads a user's ids from a passwd file.
func lookupUser(passwd, name string) (uid, gid int, err error) {
	f, err := lookupEntry(passwd, name, 4)
	if err != nil {
		return 0, 0, err
	}
	uid, err1 := strconv.Atoi(f[2])
	gid, err2 := strconv.Atoi(f[3])
	if err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("%s: user %s has ids %q:%q, want numbers", passwd, name, f[2], f[3])
	}
	return uid, gid, nil
}

// lookupGroup reads a group's id from a group file.
func lookupGroup(group, name string) (int, error) {
	f, err := lookupEntry(group, name, 3)
	if err != nil {
		return 0, err
	}
	gid, err := strconv.Atoi(f[2])
	if err != nil {
		return 0, fmt.Errorf("%s: group %s has id %q, want a number", group, name, f[2])
	}
	return gid, nil
}

func lookupEntry(file, name string, fields int) ([]string, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Split(line, ":")
		if len(f) >= fields && f[0] == name {
			return f, nil
		}
	}
	return nil, fmt.Errorf("%s: %w for %q (the image's copy comes from initramfs/rootfs/etc)", file, errNoEntry, name)
}

// newSoundServer describes PulseAudio for board b: its card, and the
// microphone the board names or the kernel command line's ringo.mic=.
func newSoundServer(b board.Board, cmdline string, log *slog.Logger) *soundServer {
	s := &soundServer{root: "/", board: b.Name, card: b.Audio, clock: clock.Real(), wait: cardWait, poll: 50 * time.Millisecond, log: log}
	if b.Audio != nil {
		m, err := parseMic(b.Audio.Mic)
		if err != nil {
			log.Error("board "+b.Name+": no microphone stand-in", "err", err)
		}
		s.mic = m
	}
	if v := cmdlineParam(cmdline, micParam); v != "" {
		m, err := parseMic(v)
		if err != nil {
			log.Error("ringo.mic= on the kernel command line is ignored", "err", err)
		} else {
			s.mic = m
		}
	}
	return s
}

// pulseDaemon supervises PulseAudio: its output goes to pulseLog, with
// its starts and when it is ready. PulseAudio comes up seconds after the
// shell (under emulation): its routine news would land in the middle of
// what a person types at the console, so only its exits go there.
func pulseDaemon(binary string, s *soundServer, log *slog.Logger, upSince func() float64) *daemon {
	d := &daemon{
		name: "pulseaudio", argv: pulseArgv(binary),
		output: func() (io.WriteCloser, error) {
			if err := os.MkdirAll(filepath.Dir(pulseLog), 0o755); err != nil {
				return nil, err
			}
			return os.OpenFile(pulseLog, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
		},
		prepare: s.prepare, quiet: true,
		clock: clock.Real(), log: log.With("category", "supervise"),
		// A quick first restart: a call in progress gets its sound back
		// within a couple of seconds of a crash.
		minWait: 20 * time.Millisecond, maxWait: 30 * time.Second, healthy: time.Minute,
	}
	d.onLine = func(line string) {
		if strings.Contains(line, pulseReady) {
			d.routine.Info("pulseaudio ready", "up", fmt.Sprintf("%.2fs", upSince()))
		}
	}
	return d
}
