// Package pulsetest runs a private PulseAudio server for tests: null sinks
// at 8 kHz mono, the native protocol on a Unix socket with anonymous
// authentication, its own HOME and XDG_RUNTIME_DIR, no default script, never
// exiting on idle. Tests record what a sink played through its monitor
// (with parec, an independent client), feed a sink from a sample generator
// (with pacat), and kill and restart the server to check that the audio
// code survives it.
//
// The sinks are loaded with norewinds=1: without it the server rewrites the
// start of each new stream and a recording of the monitor misses it.
//
// PulseAudio refuses to run as root unless told --system=false explicitly
// (it then only warns), so the server starts the same way for root in CI
// and for a normal user on a development machine.
package pulsetest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/drivers/audio/audiotest"
	"github.com/ringo-phone/ringo/internal/testenv"
)

// DefaultSinks are the null sinks Start creates: a speaker for the call's
// playback, and a mic whose monitor ("mic.monitor") serves as a microphone.
var DefaultSinks = []string{"speaker", "mic"}

// StartupTimeout bounds how long the server may take to come up.
const StartupTimeout = 15 * time.Second

// Server is a running private PulseAudio server.
type Server struct {
	t      testing.TB
	bin    string
	dir    string
	sinks  []string
	Socket string // the native protocol socket

	mu   sync.Mutex
	cmd  *exec.Cmd
	logs *bytes.Buffer
	exit chan struct{}
}

// Start runs a server with the given null sinks (DefaultSinks if none) and
// stops it when the test ends. It needs pulseaudio (Debian package
// pulseaudio).
func Start(t testing.TB, sinks ...string) *Server {
	t.Helper()
	bin := testenv.RequireTool(t, "pulseaudio")
	if len(sinks) == 0 {
		sinks = DefaultSinks
	}
	// A short directory of our own: Unix socket paths are limited to 107
	// bytes, and test temp dirs carry the test's name.
	dir, err := os.MkdirTemp("", "pulsetest")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{t: t, bin: bin, dir: dir, sinks: sinks, Socket: filepath.Join(dir, "run", "native")}
	for _, d := range []string{"home", "run"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		s.Kill()
		os.RemoveAll(dir)
	})
	s.launch()
	return s
}

// Addr is the server string to give clients ("unix:/path").
func (s *Server) Addr() string { return "unix:" + s.Socket }

// Env is the environment that points libpulse clients (pactl, parec,
// pacat) at this server and nowhere else.
func (s *Server) Env() []string {
	env := []string{}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "PULSE_SERVER", "HOME", "XDG_RUNTIME_DIR", "PULSE_COOKIE", "XDG_CONFIG_HOME", "DBUS_SESSION_BUS_ADDRESS":
			continue
		}
		env = append(env, kv)
	}
	return append(env,
		"PULSE_SERVER="+s.Addr(),
		"HOME="+filepath.Join(s.dir, "home"),
		"XDG_RUNTIME_DIR="+filepath.Join(s.dir, "run"),
		"XDG_CONFIG_HOME="+filepath.Join(s.dir, "home", ".config"),
	)
}

func (s *Server) launch() {
	s.t.Helper()
	os.Remove(s.Socket) // a stale socket from a killed server
	args := []string{
		"-n", "--daemonize=no", "--system=false", "--exit-idle-time=-1",
		"--use-pid-file=false", "--disable-shm=yes", "--realtime=no", "--high-priority=no",
		"--log-target=stderr", "--log-level=info",
		"-L", "module-native-protocol-unix socket=" + s.Socket + " auth-anonymous=1",
	}
	for _, name := range s.sinks {
		args = append(args, "-L", "module-null-sink sink_name="+name+" rate=8000 channels=1 norewinds=1")
	}
	cmd := exec.Command(s.bin, args...)
	cmd.Env = s.Env()
	cmd.Dir = s.dir
	stderr, err := cmd.StderrPipe()
	if err != nil {
		s.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("start pulseaudio: %v", err)
	}
	logs := &bytes.Buffer{}
	ready := make(chan struct{})
	exit := make(chan struct{})
	go func() {
		defer close(exit)
		sc := bufio.NewScanner(stderr)
		once := sync.Once{}
		for sc.Scan() {
			line := sc.Text()
			s.mu.Lock()
			logs.WriteString(line + "\n")
			s.mu.Unlock()
			if strings.Contains(line, "Daemon startup complete") {
				once.Do(func() { close(ready) })
			}
		}
		cmd.Wait()
	}()
	s.mu.Lock()
	s.cmd, s.logs, s.exit = cmd, logs, exit
	s.mu.Unlock()
	select {
	case <-ready:
	case <-exit:
		s.t.Fatalf("pulseaudio exited during startup:\n%s", s.Logs())
	case <-time.After(StartupTimeout):
		s.Kill()
		s.t.Fatalf("pulseaudio not up after %v:\n%s", StartupTimeout, s.Logs())
	}
}

// Logs returns what the current server process logged.
func (s *Server) Logs() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.logs == nil {
		return ""
	}
	return s.logs.String()
}

// PID is the server's process id (0 once killed).
func (s *Server) PID() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return 0
	}
	return s.cmd.Process.Pid
}

// Kill ends the server at once (SIGKILL to its PID, as a crash would) and
// waits for it. It is idempotent.
func (s *Server) Kill() {
	s.mu.Lock()
	cmd, exit := s.cmd, s.exit
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	cmd.Process.Signal(syscall.SIGKILL)
	<-exit
}

// Restart starts a new server with the same socket and sinks (after Kill,
// or killing the running one first).
func (s *Server) Restart() {
	s.t.Helper()
	s.Kill()
	s.launch()
}

// Recorder records a source with parec.
type Recorder struct {
	cmd  *exec.Cmd
	mu   sync.Mutex
	pcm  []int16
	odd  []byte        // a sample split across reads
	grew chan struct{} // a signal after each read
	done chan struct{}
}

// Record starts parec on source (e.g. "speaker.monitor") at 8 kHz mono
// s16le (100 ms of latency: the recording need not be prompt, only complete). It needs pulseaudio-utils. The recorder stops
// with the test, or when Stop is called, or when the server dies.
func (s *Server) Record(t testing.TB, source string) *Recorder {
	t.Helper()
	bin := testenv.RequireTool(t, "parec")
	cmd := exec.Command(bin, "--raw", "--format=s16le", "--rate=8000", "--channels=1",
		"--latency-msec=100", "--device="+source)
	cmd.Env = s.Env()
	var errb bytes.Buffer
	cmd.Stderr = &errb
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("parec: %v", err)
	}
	r := &Recorder{cmd: cmd, done: make(chan struct{}), grew: make(chan struct{}, 1)}
	go func() {
		defer close(r.done)
		buf := make([]byte, 4096)
		for {
			n, err := out.Read(buf)
			if n > 0 {
				r.add(buf[:n])
			}
			if err != nil {
				break
			}
		}
		cmd.Wait()
	}()
	t.Cleanup(func() { r.Stop() })
	return r
}

func (r *Recorder) add(b []byte) {
	r.mu.Lock()
	b = append(r.odd, b...)
	for len(b) >= 2 {
		r.pcm = append(r.pcm, int16(binary.LittleEndian.Uint16(b)))
		b = b[2:]
	}
	r.odd = append(r.odd[:0], b...)
	r.mu.Unlock()
	select {
	case r.grew <- struct{}{}:
	default:
	}
}

// SinkMonitor records what sink plays (its "<sink>.monitor" source).
func (s *Server) SinkMonitor(t testing.TB, sink string) *Recorder {
	t.Helper()
	return s.Record(t, sink+".monitor")
}

// Len returns how many samples were recorded so far.
func (r *Recorder) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.pcm)
}

// Samples returns a copy of the samples from index from on.
func (r *Recorder) Samples(from int) []int16 {
	r.mu.Lock()
	defer r.mu.Unlock()
	if from > len(r.pcm) {
		return nil
	}
	return append([]int16(nil), r.pcm[from:]...)
}

// WaitLen blocks until at least n samples are recorded (parec delivers them
// at the sound card's pace), the recorder ends, or ctx ends.
func (r *Recorder) WaitLen(ctx context.Context, n int) error {
	for {
		if r.Len() >= n {
			return nil
		}
		select {
		case <-r.grew:
		case <-r.done:
			if r.Len() >= n {
				return nil
			}
			return fmt.Errorf("pulsetest: recorder ended after %d of %d samples", r.Len(), n)
		case <-ctx.Done():
			return fmt.Errorf("pulsetest: %d of %d samples recorded: %w", r.Len(), n, ctx.Err())
		}
	}
}

// Stop ends parec (by its PID) and returns everything recorded. It is
// idempotent.
func (r *Recorder) Stop() []int16 {
	r.cmd.Process.Signal(syscall.SIGKILL)
	<-r.done
	return r.Samples(0)
}

// Player feeds a sink with pacat from a generator.
type Player struct {
	cmd  *exec.Cmd
	done chan struct{}
}

// Play starts pacat on sink, writing what next produces (160 samples per
// call) until Stop. pacat reads as the server asks, so the generator runs
// at the sound card's pace.
func (s *Server) Play(t testing.TB, sink string, next func(dst []int16)) *Player {
	t.Helper()
	bin := testenv.RequireTool(t, "pacat")
	cmd := exec.Command(bin, "--playback", "--raw", "--format=s16le", "--rate=8000", "--channels=1",
		"--latency-msec=100", "--device="+sink)
	cmd.Env = s.Env()
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("pacat: %v", err)
	}
	p := &Player{cmd: cmd, done: make(chan struct{})}
	go func() {
		defer close(p.done)
		pcm := make([]int16, 160)
		buf := make([]byte, 2*len(pcm))
		for {
			next(pcm)
			for i, v := range pcm {
				binary.LittleEndian.PutUint16(buf[2*i:], uint16(v))
			}
			if _, err := in.Write(buf); err != nil {
				break
			}
		}
		cmd.Wait()
	}()
	t.Cleanup(p.Stop)
	return p
}

// Stop ends pacat by its PID. It is idempotent.
func (p *Player) Stop() {
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// ExpectTone records one-second windows and passes at the first in which
// hz stands at least minDB over every other spectrum bin
// (audiotest.AnalyzeTone). Up to four windows are tried, because a loaded
// test machine can hold PulseAudio or a client off the CPU long enough to
// put a gap in one; every margin is reported.
func (r *Recorder) ExpectTone(t testing.TB, ctx context.Context, what string, hz, minDB float64) {
	t.Helper()
	var got []string
	for try := 0; try < 4; try++ {
		from := r.Len()
		if err := r.WaitLen(ctx, from+sampleRate); err != nil {
			t.Fatalf("%s: recording: %v", what, err)
		}
		m := audiotest.AnalyzeTone(r.Samples(from)[:sampleRate], hz).MarginDB
		got = append(got, fmt.Sprintf("%.1f", m))
		if m >= minDB {
			t.Logf("%s: %.0f Hz stands %.1f dB over the rest (windows: %v)", what, hz, m, got)
			return
		}
	}
	t.Errorf("%s: %.0f Hz margins in four 1 s windows %v dB, want ≥ %.0f in one", what, hz, got, minDB)
}

// SineFrames returns a Play generator of a continuous tone at -6 dBFS.
func SineFrames(hz float64) func(dst []int16) {
	period := audiotest.Sine(hz, -6, sampleRate) // one second: whole periods of any integer hz
	pos := 0
	return func(dst []int16) {
		for i := range dst {
			dst[i] = period[pos]
			pos = (pos + 1) % len(period)
		}
	}
}

// sampleRate is the null sinks' rate (8 kHz mono, as every Ringo call).
const sampleRate = 8000
