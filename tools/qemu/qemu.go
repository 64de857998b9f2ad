package qemu

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Forward forwards a port on the host's loopback to a guest port
// (QEMU's hostfwd), e.g. {Proto: "udp", HostPort: 4569, GuestPort: 4569}.
type Forward struct {
	Proto     string // "tcp" or "udp"
	HostPort  int
	GuestPort int
}

// GuestForward makes a guest TCP address reach a host loopback port
// (QEMU's guestfwd), e.g. 10.0.2.100:4713 → 127.0.0.1:4713.
type GuestForward struct {
	GuestAddr string
	GuestPort int
	HostPort  int
}

// Config says what to boot and how.
type Config struct {
	Kernel string // arm64 Image
	Initrd string // the cpio (u-root image with the modules appended)
	// Append is added to the kernel command line after the console.
	Append string
	// MemoryMB defaults to 512.
	MemoryMB int
	// Binary defaults to qemu-system-aarch64 on PATH.
	Binary        string
	HostForwards  []Forward
	GuestForwards []GuestForward
	// Isolate runs QEMU in a new network namespace with only loopback up.
	Isolate bool
	// Interactive attaches the serial console to this process's terminal
	// (stdin/stdout); Ctrl-A X leaves, ^C goes to the guest. Console
	// methods are unavailable.
	Interactive bool
	// Log, if set, receives a copy of everything the console prints.
	Log io.Writer
	// Keyboard adds a virtio keyboard that QMP can type on.
	Keyboard bool
	// StateDisk, if set, is a raw disk image attached as the guest's
	// virtio disk /dev/vda: the persistent state (make state-disk).
	StateDisk string
	// ModemSocket, if set, adds a virtio console (the guest's /dev/hvc0:
	// the serial console is ttyAMA0) joined to the unix socket at this
	// path, where modemsim -socket listens: the qemu-virt board's modem.
	// QEMU connects as the client and tries again every second while
	// nothing listens, so modemsim may start after QEMU, or restart.
	ModemSocket string
	// SoundWAV, if set, adds a sound card the guest's kernel drives
	// (QEMU's usb-audio on an XHCI controller, playback only): what the
	// guest plays is written to this WAV file on the host, 8 kHz 16-bit
	// stereo (QEMU's conversion to mono would add the two channels, 6 dB
	// too loud). QEMU writes while the guest's stream is open, in real
	// time (silence where the guest falls behind), and nothing while it
	// is closed; the header's sizes are filled in when QEMU exits.
	SoundWAV string
	// CPUs is the number of emulated cores: 1, or 2 with SoundWAV. A
	// call's audio through the emulated USB card at 48 kHz, and the agent
	// beside it, keep one emulated core busy (docs/PERFORMANCE.md); a
	// second keeps the console and the rest of the handset responsive.
	CPUs int
}

func (cfg Config) cpus() int {
	switch {
	case cfg.CPUs > 0:
		return cfg.CPUs
	case cfg.SoundWAV != "":
		return 2
	}
	return 1
}

// soundArgs is the sound card for a WAV file. QEMU 7.2 has no
// virtio-sound, and intel-hda's codecs do not probe on the virt machine
// under TCG; usb-audio does, as snd-usb-audio's card "Audio". The card
// runs at 48 kHz stereo; QEMU converts to the file's rate.
func soundArgs(wav string) []string {
	return []string{
		"-device", "qemu-xhci,id=xhci",
		"-device", "usb-audio,bus=xhci.0,audiodev=snd0",
		// QEMU's option syntax doubles a comma inside a value.
		"-audiodev", "wav,id=snd0,path=" + strings.ReplaceAll(wav, ",", ",,") + ",out.frequency=8000,out.channels=2,out.format=s16",
	}
}

// modemArgs join a virtio console to the modem simulator's socket.
func modemArgs(sock string) []string {
	return []string{
		"-device", "virtio-serial-device",
		// QEMU's option syntax doubles a comma inside a value.
		"-chardev", "socket,id=modem,path=" + strings.ReplaceAll(sock, ",", ",,") + ",server=off,reconnect=1",
		"-device", "virtconsole,chardev=modem",
	}
}

// consoleArgs put the serial console and QEMU's human monitor on one
// multiplexed stdio, as -nographic does when nothing else asks for a
// monitor: Ctrl-A X leaves, Ctrl-A C switches to the monitor and back,
// Ctrl-A Ctrl-A types a Ctrl-A. -nographic alone would not do it here:
// asking for QMP (-qmp) drops its default monitor, and with it the
// multiplexer, so the guest saw Ctrl-A X as text. signal=off passes ^C
// to the guest as a byte (the guest's foreground program gets SIGINT)
// instead of letting the host's terminal kill QEMU.
var consoleArgs = []string{
	"-chardev", "stdio,id=con,mux=on,signal=off",
	"-serial", "chardev:con",
	"-mon", "chardev=con,mode=readline",
}

// Args returns QEMU's command line for cfg (without the binary), with the
// QMP socket at qmpPath.
func (cfg Config) Args(qmpPath string) []string {
	mem := cfg.MemoryMB
	if mem == 0 {
		mem = 512
	}
	appendLine := "console=ttyAMA0 quiet"
	if cfg.Append != "" {
		appendLine += " " + cfg.Append
	}
	netdev := "user,id=n0,net=10.0.2.0/24"
	for _, f := range cfg.HostForwards {
		netdev += fmt.Sprintf(",hostfwd=%s:127.0.0.1:%d-:%d", f.Proto, f.HostPort, f.GuestPort)
	}
	for _, g := range cfg.GuestForwards {
		netdev += fmt.Sprintf(",guestfwd=tcp:%s:%d-tcp:127.0.0.1:%d", g.GuestAddr, g.GuestPort, g.HostPort)
	}
	args := []string{
		"-M", "virt", "-cpu", "cortex-a53", "-smp", strconv.Itoa(cfg.cpus()), "-m", strconv.Itoa(mem),
		"-display", "none", "-no-reboot",
		"-kernel", cfg.Kernel, "-initrd", cfg.Initrd,
		"-append", appendLine,
	}
	args = append(args, consoleArgs...)
	args = append(args, "-netdev", netdev, "-device", "virtio-net-device,netdev=n0")
	if cfg.Keyboard {
		// The virt machine's virtio-mmio transport is legacy (version 1)
		// unless told otherwise, and the guest's virtio_input refuses a
		// device without VIRTIO_F_VERSION_1: it stays unbound and
		// /dev/input shows no keyboard. Net and disk work either way.
		args = append(args, "-global", "virtio-mmio.force-legacy=false", "-device", "virtio-keyboard-device")
	}
	if cfg.StateDisk != "" {
		// QEMU's option syntax doubles a comma inside a value.
		args = append(args, "-drive", "file="+strings.ReplaceAll(cfg.StateDisk, ",", ",,")+",if=none,id=state,format=raw",
			"-device", "virtio-blk-device,drive=state")
	}
	if cfg.SoundWAV != "" {
		args = append(args, soundArgs(cfg.SoundWAV)...)
	}
	if cfg.ModemSocket != "" {
		args = append(args, modemArgs(cfg.ModemSocket)...)
	}
	if qmpPath != "" {
		args = append(args, "-qmp", "unix:"+qmpPath+",server=on,wait=off")
	}
	return args
}

// Machine is one running QEMU.
type Machine struct {
	cmd    *exec.Cmd
	dir    string
	qmp    string
	done   chan struct{}
	err    error // set before done is closed
	closed sync.Once

	mu      sync.Mutex
	out     bytes.Buffer  // everything the console printed
	cursor  int           // console bytes already consumed by WaitFor/Run
	changed chan struct{} // closed and replaced on every console write
	marker  int

	qmpMu   sync.Mutex
	qmpConn *qmpClient
	stdin   io.WriteCloser
}

// Start boots cfg. The machine runs until it powers off, ctx ends, or Close.
func Start(ctx context.Context, cfg Config) (*Machine, error) {
	for _, f := range []string{cfg.Kernel, cfg.Initrd} {
		if _, err := os.Stat(f); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrNoKernel, err)
		}
	}
	bin := cfg.Binary
	if bin == "" {
		bin = "qemu-system-aarch64"
	}
	path, err := exec.LookPath(bin)
	if err != nil {
		return nil, fmt.Errorf("qemu: %w (run `make deps`)", err)
	}
	dir, err := os.MkdirTemp("", "ringo-qemu-")
	if err != nil {
		return nil, err
	}
	m := &Machine{dir: dir, qmp: filepath.Join(dir, "qmp.sock"), done: make(chan struct{}), changed: make(chan struct{})}
	argv := append([]string{path}, cfg.Args(m.qmp)...)
	if cfg.Isolate {
		argv = isolate(argv)
	}
	m.cmd = exec.Command(argv[0], argv[1:]...)
	// The kernel kills QEMU if we die; a process group lets Close kill
	// everything unshare started.
	m.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: !cfg.Interactive}
	if cfg.Interactive {
		m.cmd.Stdin, m.cmd.Stdout, m.cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	} else {
		w := io.Writer(consoleWriter{m})
		if cfg.Log != nil {
			w = io.MultiWriter(w, cfg.Log)
		}
		m.cmd.Stdout, m.cmd.Stderr = w, w
		if m.stdin, err = m.cmd.StdinPipe(); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	if err := m.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("qemu: start: %w", err)
	}
	go func() {
		err := m.cmd.Wait()
		m.mu.Lock()
		m.err = err
		m.mu.Unlock()
		close(m.done)
	}()
	go func() {
		select {
		case <-ctx.Done():
			m.Close()
		case <-m.done:
		}
	}()
	if cfg.Isolate {
		// Until unshare has made the namespace and the shell has brought
		// loopback up and exec'd QEMU, Command would run a host service
		// in the host's namespace, where the guest never reaches it.
		if err := m.waitExec(ctx, path, 10*time.Second); err != nil {
			m.Close()
			return nil, err
		}
	}
	return m, nil
}

// waitExec waits until the isolated process has become QEMU (path), the
// last step of isolate's wrapper: its command line starts with path (or,
// for a script, its interpreter and then path), where the wrapper's starts
// with unshare or sh and their flags. The kernel offers no event for an
// exec of another process: /proc/PID/cmdline is looked at every 5 ms.
func (m *Machine) waitExec(ctx context.Context, path string, limit time.Duration) error {
	cmdline := fmt.Sprintf("/proc/%d/cmdline", m.Pid())
	deadline := time.NewTimer(limit)
	defer deadline.Stop()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		if b, err := os.ReadFile(cmdline); err == nil {
			argv := strings.Split(string(b), "\x00")
			if argv[0] == path || len(argv) > 1 && argv[1] == path {
				return nil
			}
		}
		select {
		case <-m.done:
			return fmt.Errorf("qemu: exited before it started in its network namespace: %v\n%s", m.cmd.ProcessState, m.Transcript())
		case <-ctx.Done():
			return ctx.Err()
		case <-deadline.C:
			return fmt.Errorf("qemu: not started in its network namespace within %v (unshare and `ip link set lo up` run first)", limit)
		case <-tick.C:
		}
	}
}

// isolate wraps argv to run in a new network namespace with loopback up.
// As root that is a plain network namespace; otherwise a user namespace
// maps us to root inside it.
func isolate(argv []string) []string {
	flags := "-n"
	if os.Geteuid() != 0 {
		flags = "-rn"
	}
	return append([]string{"unshare", flags, "--", "sh", "-c", `ip link set lo up && exec "$@"`, "qemu"}, argv...)
}

// Pid is QEMU's process id (also the network namespace's holder when
// isolated: `nsenter -t PID -n` runs a host service beside the guest).
func (m *Machine) Pid() int { return m.cmd.Process.Pid }

// Done is closed when QEMU has exited.
func (m *Machine) Done() <-chan struct{} { return m.done }

// Err is QEMU's exit error once Done is closed (nil for a clean exit;
// a kernel panic with -no-reboot also exits cleanly, so judge a boot by
// the console, not by this).
func (m *Machine) Err() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.err
}

// Wait waits until QEMU exits or ctx ends.
func (m *Machine) Wait(ctx context.Context) error {
	select {
	case <-m.done:
		return m.Err()
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close kills QEMU (if it still runs), waits for it and removes its files.
// It is idempotent.
func (m *Machine) Close() error {
	m.closed.Do(func() {
		select {
		case <-m.done:
		default:
			if m.cmd.SysProcAttr.Setpgid {
				syscall.Kill(-m.cmd.Process.Pid, syscall.SIGKILL)
			}
			m.cmd.Process.Kill()
			<-m.done
		}
		// With QEMU gone a QMP call in flight fails, so the lock is free.
		m.qmpMu.Lock()
		if m.qmpConn != nil {
			m.qmpConn.Close()
		}
		m.qmpMu.Unlock()
		os.RemoveAll(m.dir)
	})
	return nil
}

type consoleWriter struct{ m *Machine }

func (w consoleWriter) Write(p []byte) (int, error) {
	m := w.m
	m.mu.Lock()
	m.out.Write(p)
	close(m.changed)
	m.changed = make(chan struct{})
	m.mu.Unlock()
	return len(p), nil
}

// Transcript is everything the console printed so far.
func (m *Machine) Transcript() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.out.String()
}

// Send types s on the serial console.
func (m *Machine) Send(s string) error {
	if m.stdin == nil {
		return fmt.Errorf("qemu: console is interactive")
	}
	_, err := io.WriteString(m.stdin, s)
	return err
}

// WaitFor waits until the console prints a line containing substr after
// what earlier calls consumed, and returns that line (without its line
// end). The console is consumed up to that line's end.
func (m *Machine) WaitFor(ctx context.Context, substr string) (string, error) {
	for {
		m.mu.Lock()
		line, ok := m.consumeLine(substr)
		changed := m.changed
		m.mu.Unlock()
		if ok {
			return line, nil
		}
		select {
		case <-changed:
		case <-m.done:
			// QEMU's output is all written before done closes.
			m.mu.Lock()
			line, ok := m.consumeLine(substr)
			m.mu.Unlock()
			if ok {
				return line, nil
			}
			return "", fmt.Errorf("%w waiting for %q", ErrExited, substr)
		case <-ctx.Done():
			return "", fmt.Errorf("%w: %q: %v", ErrTimeout, substr, ctx.Err())
		}
	}
}

// consumeLine finds the first complete line after the cursor that contains
// substr and moves the cursor past it. m.mu is held.
func (m *Machine) consumeLine(substr string) (string, bool) {
	buf := m.out.Bytes()[m.cursor:]
	i := bytes.Index(buf, []byte(substr))
	if i < 0 {
		return "", false
	}
	j := bytes.IndexByte(buf[i:], '\n')
	if j < 0 {
		return "", false
	}
	start := bytes.LastIndexByte(buf[:i], '\n') + 1
	m.cursor += i + j + 1
	return strings.TrimRight(string(buf[start:i+j]), "\r"), true
}

// Run runs a shell command line on the console and returns what it
// printed (lines joined by "\n", carriage returns removed) and its exit
// code. The command must not read the console.
func (m *Machine) Run(ctx context.Context, cmdline string) (string, int, error) {
	m.mu.Lock()
	m.marker++
	n := m.marker
	m.mu.Unlock()
	// The markers are quoted apart in what we type, so the tty's echo of
	// the command line never matches them; only the shell's output does.
	begin, end := fmt.Sprintf("@@B%d@@", n), fmt.Sprintf("@@E%d@@", n)
	line := fmt.Sprintf(`echo "@@"B%d"@@"; %s; echo "@@"E%d"@@ $?"`+"\n", n, cmdline, n)
	if err := m.Send(line); err != nil {
		return "", -1, err
	}
	if _, err := m.WaitFor(ctx, begin); err != nil {
		return "", -1, err
	}
	m.mu.Lock()
	from := m.cursor
	m.mu.Unlock()
	last, err := m.WaitFor(ctx, end)
	if err != nil {
		return "", -1, err
	}
	m.mu.Lock()
	raw := string(m.out.Bytes()[from:m.cursor])
	m.mu.Unlock()
	// Drop the end marker's line from the output.
	raw = strings.ReplaceAll(raw, "\r", "")
	raw = strings.TrimSuffix(raw, "\n")
	if i := strings.LastIndex(raw, "\n"); i >= 0 {
		raw = raw[:i]
	} else {
		raw = ""
	}
	rc, err := strconv.Atoi(strings.TrimSpace(last[strings.Index(last, end)+len(end):]))
	if err != nil {
		return raw, -1, fmt.Errorf("qemu: bad exit status line %q", last)
	}
	return raw, rc, nil
}

// PowerOff types poweroff on the console and waits until QEMU exits.
func (m *Machine) PowerOff(ctx context.Context) error {
	if err := m.Send("poweroff\n"); err != nil {
		return err
	}
	return m.Wait(ctx)
}

// Command returns a command that runs in the machine's network namespace
// (Config.Isolate), where the guest's 10.0.2.2 is the namespace's
// loopback: a host service for the guest listens there on 127.0.0.1. The
// command is killed if the process that starts it dies.
func (m *Machine) Command(name string, args ...string) *exec.Cmd {
	ns := []string{"-t", strconv.Itoa(m.Pid()), "-n"}
	if os.Geteuid() != 0 {
		// The namespace belongs to a user namespace made by unshare -r.
		ns = append(ns, "-U", "--preserve-credentials")
	}
	cmd := exec.Command("nsenter", append(append(ns, "--", name), args...)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	return cmd
}
