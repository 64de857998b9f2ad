package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/ringo-phone/ringo/board"
	"github.com/ringo-phone/ringo/internal/clock"
	"github.com/ringo-phone/ringo/internal/command"
	"github.com/ringo-phone/ringo/internal/runenv"
	ringotty "github.com/ringo-phone/ringo/internal/tty"
	"github.com/ringo-phone/ringo/internal/version"
	"github.com/u-root/u-root/pkg/kmodule"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("uinit", flag.ContinueOnError)
	boardName := fs.String("board", "", "board name (default: chosen by the device tree's compatible string)")
	shell := fs.String("shell", "", "shell to hand the console to (default: "+strings.Join(consoleShells, ", then ")+")")
	phoned := fs.String("phoned", "/bbin/phoned", "the phone server to start and supervise")
	pulse := fs.String("pulseaudio", "/usr/bin/pulseaudio", "the sound server to start beside phoned and supervise, when the image has it")
	if code, ok := command.Parse(fs, args, command.OS()); !ok {
		return command.ExitError{Code: code}
	}

	startedAt := uptime()
	steps := &bootSteps{}
	steps.mark("kernel → uinit", startedAt)
	console := openConsole()
	defer console.Close()
	base := slog.New(slog.NewTextHandler(console, nil))
	log := base.With("category", "boot")

	for _, err := range mountMissing() {
		log.Error("mount", "err", err)
	}

	compat, cerr := board.ReadCompatible("/")
	if *boardName == "" {
		*boardName = cmdlineBoard() // ringo.board= on the kernel command line
	}
	var b board.Board
	var err error
	if *boardName != "" {
		b, err = board.ByName(*boardName)
	} else if cerr == nil {
		b, err = board.Lookup(compat)
	} else {
		err = cerr
	}
	if err != nil {
		log.Error("no board description; continuing without board bring-up", "err", err)
	}
	var loader *moduleLoader
	if err == nil {
		var lerr error
		loader, lerr = newModuleLoader()
		if lerr != nil {
			log.Error("module loader", "err", lerr)
		} else {
			start := time.Now()
			rep := board.LoadModules(b, loader)
			fmt.Fprintf(console, "%s\n  (uinit up at %.2f s; %d modules in %.2f s)\n", rep, startedAt, len(b.Modules), time.Since(start).Seconds())
			steps.mark("modules", uptime())
		}
		// configfs is a module on Debian kernels: mount it once it is loaded.
		if err := mountIfMissing("configfs", "/sys/kernel/config", "configfs"); err != nil {
			log.Error("mount", "err", err)
		}
	}

	// The network comes up while the storage is mounted: the agent
	// phoned starts needs it from its first registration.
	netUp := make(chan struct{})
	go func() {
		defer close(netUp)
		if b.Net != nil {
			if err := bringUpNet(*b.Net); err != nil {
				log.Error("network", "interface", b.Net.Interface, "err", err)
			}
		}
	}()

	// Before phoned: it and the console tools read /etc/ringo and keep
	// state under /var/lib/ringo.
	setUpStorage(b.Storage, console, log)

	cmdline, _ := os.ReadFile("/proc/cmdline")
	ui, uerr := chooseConsole(b, string(cmdline))
	if uerr != nil {
		log.Warn("console", "err", uerr)
	}
	fmt.Fprintln(console, banner(compat))
	steps.mark("banner", uptime())
	if lvl := consoleLevel(string(cmdline)); lvl != "" {
		// The kernel's console log level (the first field); the rest of
		// printk's settings stay.
		if err := os.WriteFile("/proc/sys/kernel/printk", []byte(lvl), 0o644); err != nil {
			log.Warn("the kernel's warnings stay on the console", "err", err)
		}
	}
	go func() {
		<-netUp
		// PulseAudio starts beside phoned, not before: the agent connects
		// when a call needs audio, and the banner and Home do not wait for
		// the sound card or its modules.
		if _, err := os.Stat(*pulse); err == nil {
			cmdline, _ := os.ReadFile("/proc/cmdline")
			s := newSoundServer(b, string(cmdline), log)
			if loader != nil {
				s.load = func(ms []board.Module) board.Report {
					return board.LoadModules(board.Board{Name: b.Name + " sound card", Modules: ms}, loader)
				}
			}
			go func() {
				if err := pulseDaemon(*pulse, s, base, uptime).supervise(ctx); err != nil {
					log.Error("sound server stopped", "err", err)
				}
			}()
		}
		if _, err := os.Stat(*phoned); err != nil {
			log.Warn("no phone server in the image", "path", *phoned)
			return
		}
		// The agent phoned starts plays and records calls on the board's
		// card with the buffering it needs.
		d := phonedDaemon(*phoned, base, streamEnv(b.Audio)...)
		d.started = func(int) { steps.mark("phoned started", uptime()) }
		go reportHome(ctx, steps, console)
		if ui.on { // phoneui shows incoming calls; a notice would scribble on it
			d.argv = withoutNotices(d.argv)
		}
		if err := d.supervise(ctx); err != nil {
			log.Error("phone server stopped", "err", err)
		}
	}()
	if ui.on {
		return superviseUI(ctx, ui, *shell, console, log)
	}
	return superviseShell(ctx, *shell, log)
}

// phoneLog is where phoned (and the agents it runs) write their logs.
const phoneLog = "/run/ringo/log/phoned.log"

func phonedDaemon(path string, log *slog.Logger, env ...string) *daemon {
	return &daemon{
		// -notices: an incoming call prints a line on the console.
		name: "phoned", argv: []string{path, "-notices", "/dev/console"},
		env: append([]string{"RINGO_CONFIG=/etc/ringo", "RINGO_RUNTIME=/run/ringo"}, env...),
		output: func() (io.WriteCloser, error) {
			if err := os.MkdirAll(filepath.Dir(phoneLog), 0o755); err != nil {
				return nil, err
			}
			return os.OpenFile(phoneLog, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
		},
		clock: clock.Real(), log: log.With("category", "supervise"),
		minWait: time.Second, maxWait: 30 * time.Second, healthy: time.Minute,
	}
}

// banner is the boot banner tests and people wait for.
func banner(compat []string) string {
	var u unix.Utsname
	_ = unix.Uname(&u)
	c := "none"
	if len(compat) > 0 {
		c = compat[0]
	}
	return fmt.Sprintf("Ringo %s kernel %s compatible %s up %.2fs",
		version.Version, unix.ByteSliceToString(u.Release[:]), c, uptime())
}

func uptime() float64 {
	b, err := os.ReadFile("/proc/uptime")
	if err != nil {
		return -1
	}
	var up float64
	fmt.Sscan(string(b), &up)
	return up
}

// openConsole opens the kernel console for writing. u-root's init hands
// uinit a pipe as stdout, and what sits in a pipe when the machine powers
// off is lost; the console device is written synchronously.
func openConsole() *os.File {
	f, err := os.OpenFile("/dev/console", os.O_WRONLY|unix.O_NOCTTY, 0)
	if err != nil {
		return os.Stdout
	}
	return f
}

type mount struct{ source, target, fstype string }

var wanted = []mount{
	{"proc", "/proc", "proc"},
	{"sysfs", "/sys", "sysfs"},
	{"devtmpfs", "/dev", "devtmpfs"},
	{"devpts", "/dev/pts", "devpts"},
	{"tmpfs", "/run", "tmpfs"},
	{"tmpfs", "/tmp", "tmpfs"},
}

func mountMissing() []error {
	var errs []error
	for _, m := range wanted {
		if err := mountIfMissing(m.source, m.target, m.fstype); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

func mountIfMissing(source, target, fstype string) error {
	if mounted(target) {
		return nil
	}
	if err := os.MkdirAll(target, 0o755); err != nil {
		return err
	}
	if err := unix.Mount(source, target, fstype, 0, ""); err != nil {
		return fmt.Errorf("mount %s on %s: %w", fstype, target, err)
	}
	return nil
}

func mounted(target string) bool {
	f, err := os.Open("/proc/self/mounts")
	if err != nil {
		return false
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if fields := strings.Fields(s.Text()); len(fields) > 1 && fields[1] == target {
			return true
		}
	}
	return false
}

// moduleLoader loads modules from the image's /lib/modules/<release> with
// u-root's modprobe library, and tells a missing module from a failed one.
type moduleLoader struct {
	prober *kmodule.Prober
	have   map[string]bool // module names (with '-' as '_') the image has
}

func newModuleLoader() (*moduleLoader, error) {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return nil, err
	}
	rel := unix.ByteSliceToString(u.Release[:])
	dep, err := os.ReadFile(filepath.Join("/lib/modules", rel, "modules.dep"))
	if err != nil {
		return nil, err
	}
	have := map[string]bool{}
	for _, line := range strings.Split(string(dep), "\n") {
		path, _, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		name := filepath.Base(path)
		name = name[:strings.Index(name, ".ko")+len(".ko")-3]
		have[strings.ReplaceAll(name, "-", "_")] = true
	}
	p, err := kmodule.NewProber(kmodule.ProbeOpts{})
	if err != nil {
		return nil, err
	}
	return &moduleLoader{prober: p, have: have}, nil
}

func (l *moduleLoader) Probe(name, params string) error {
	if !l.have[strings.ReplaceAll(name, "-", "_")] {
		return fmt.Errorf("%w: %s", board.ErrModuleMissing, name)
	}
	return l.prober.Probe(name, params)
}

// bringUpNet sets a static address through netlink (no process to
// spawn: this is on the boot's critical path).
func bringUpNet(n board.Net) error {
	lo, err := netlink.LinkByName("lo")
	if err != nil {
		return err
	}
	if err := netlink.LinkSetUp(lo); err != nil {
		return fmt.Errorf("lo up: %w", err)
	}
	link, err := netlink.LinkByName(n.Interface)
	if err != nil {
		return err
	}
	if err := netlink.LinkSetUp(link); err != nil {
		return fmt.Errorf("%s up: %w", n.Interface, err)
	}
	addr, err := netlink.ParseAddr(n.Address)
	if err != nil {
		return err
	}
	if err := netlink.AddrAdd(link, addr); err != nil {
		return fmt.Errorf("address %s: %w", n.Address, err)
	}
	if n.Gateway == "" {
		return nil
	}
	gw := net.ParseIP(n.Gateway)
	if gw == nil {
		return fmt.Errorf("gateway %q is not an IP address", n.Gateway)
	}
	if err := netlink.RouteAdd(&netlink.Route{LinkIndex: link.Attrs().Index, Gw: gw}); err != nil {
		return fmt.Errorf("default route via %s: %w", n.Gateway, err)
	}
	return nil
}

// consoleShells are the shells uinit looks for, best first: Ringo's
// console shell keeps the tty cooked for the programs it runs; u-root's
// gosh (the image's default shell) leaves it raw for them.
var consoleShells = []string{"/bbin/consolesh", "/bin/defaultsh", "/bin/sh"}

// superviseShell runs the shell on the console's tty as a session leader
// with the tty as its controlling terminal (so ^C reaches the programs it
// runs), and starts it again when it exits, as a getty would. Before each
// start it makes the tty sane (cooked: echo, whole lines, CR to NL,
// signals), whatever the last shell or its programs left it in.
func superviseShell(ctx context.Context, shell string, log *slog.Logger) error {
	if shell == "" {
		for _, s := range consoleShells {
			if _, err := os.Stat(s); err == nil {
				shell = s
				break
			}
		}
	}
	if shell == "" {
		return errors.New("no shell in the image")
	}
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		tty, err := openConsoleTTY()
		if err != nil {
			return err
		}
		if err := ringotty.Sane(int(tty.Fd())); err != nil {
			log.Warn("console mode", "err", err)
		}
		cmd := exec.CommandContext(ctx, shell)
		cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
		start := time.Now()
		err = cmd.Run()
		tty.Close()
		if ctx.Err() != nil {
			return nil
		}
		log.Info("shell exited; starting it again", "err", err)
		if time.Since(start) > 5*time.Second {
			backoff = 100 * time.Millisecond
		} else if backoff < 5*time.Second {
			backoff *= 2
		}
		select {
		case <-time.After(backoff):
		case <-ctx.Done():
		}
	}
	return nil
}

// openConsoleTTY opens the real tty behind /dev/console (for example
// /dev/ttyAMA0), which, unlike /dev/console, can be a controlling terminal.
func openConsoleTTY() (*os.File, error) {
	name := "console"
	if b, err := os.ReadFile("/sys/class/tty/console/active"); err == nil {
		if f := strings.Fields(string(b)); len(f) > 0 {
			name = f[len(f)-1]
		}
	}
	return os.OpenFile("/dev/"+name, os.O_RDWR, 0)
}

// bootLog keeps the boot steps' line beside phoned's log.
const bootLog = "/run/ringo/log/boot.log"

// homeWatchFor bounds the watch for Home: a boot without a registrable
// service (no network, no account) gives up and frees its bus client.
const homeWatchFor = 5 * time.Minute

// reportHome prints the boot steps on the console and in bootLog once a
// service is registered Home.
func reportHome(ctx context.Context, steps *bootSteps, console io.Writer) {
	ctx, cancel := context.WithTimeout(ctx, homeWatchFor)
	defer cancel()
	out := []io.Writer{console}
	if err := os.MkdirAll(filepath.Dir(bootLog), 0o755); err == nil {
		if f, err := os.OpenFile(bootLog, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644); err == nil {
			defer f.Close()
			out = append(out, f)
		}
	}
	socket := runenv.Dirs{Runtime: runenv.DefaultRuntime}.Socket()
	if err := watchHome(ctx, socket, uptime, steps, out...); err != nil && len(out) > 1 {
		fmt.Fprintf(out[1], "%s; %v (phonectl status says why)\n", steps.line(), err)
	}
}
