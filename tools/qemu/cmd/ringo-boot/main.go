// Command ringo-boot boots a Ringo image in QEMU with the serial console on
// this terminal (Ctrl-A X, or `poweroff` in the guest, leaves; ^C goes to
// the guest's foreground program). QEMU runs in its own network namespace
// with only loopback, so the guest reaches nothing but the forwarded host
// ports. Every way out stops QEMU, removes its temporary directory and
// leaves the terminal in the mode it found it.
//
//	ringo-boot -kernel build/kernel/vmlinuz -initrd build/ringo.cpio
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/ringo-phone/ringo/internal/command"
	"github.com/ringo-phone/ringo/internal/tty"
	"github.com/ringo-phone/ringo/tools/iaxpbx/pbx"
	"github.com/ringo-phone/ringo/tools/qemu"
)

// SIGINT and SIGHUP end a run as SIGTERM does, with QEMU stopped, its
// temporary directory removed and the terminal's mode restored. ^C
// typed at the console is not one of them: QEMU passes it to the guest.
func main() { command.Main(ringoBoot, os.Interrupt, syscall.SIGHUP) }

// ringoBoot is the program: 0 when the guest powers off or the console is
// left, 2 for a bad flag or argument (-h prints the flags), 1 otherwise.
func ringoBoot(ctx context.Context, args []string, env command.Env) int {
	return command.Exit(env, "ringo-boot", run(ctx, args, env))
}

type forwards []qemu.Forward

func (f *forwards) String() string { return fmt.Sprint(*f) }

// Set parses PROTO:HOSTPORT:GUESTPORT, e.g. udp:14569:4569.
func (f *forwards) Set(s string) error {
	p := strings.Split(s, ":")
	if len(p) != 3 || (p[0] != "udp" && p[0] != "tcp") {
		return fmt.Errorf("want udp|tcp:HOSTPORT:GUESTPORT, got %q", s)
	}
	h, err1 := strconv.Atoi(p[1])
	g, err2 := strconv.Atoi(p[2])
	if err1 != nil || err2 != nil || h <= 0 || h > 65535 || g <= 0 || g > 65535 {
		return fmt.Errorf("bad port in %q", s)
	}
	*f = append(*f, qemu.Forward{Proto: p[0], HostPort: h, GuestPort: g})
	return nil
}

// uiParam asks uinit for the call screen on the console.
const uiParam = "ringo.ui=1"

func run(ctx context.Context, args []string, env command.Env) error {
	stderr := env.Stderr
	fs := flag.NewFlagSet("ringo-boot", flag.ContinueOnError)
	cfg := qemu.Config{Interactive: true, Keyboard: true}
	fs.StringVar(&cfg.Kernel, "kernel", "build/kernel/vmlinuz", "arm64 kernel Image")
	fs.StringVar(&cfg.Initrd, "initrd", "build/ringo.cpio", "Ringo image (cpio)")
	fs.StringVar(&cfg.Append, "append", "", "extra kernel command line")
	fs.BoolVar(&cfg.Isolate, "isolate", true, "run in a network namespace with only loopback")
	fs.StringVar(&cfg.StateDisk, "state", "", "disk image with the persistent state, the guest's /dev/vda (make state-disk makes build/state.img)")
	fs.StringVar(&cfg.SoundWAV, "wav", "", "give the guest a sound card whose playback goes to this WAV file (8 kHz 16-bit stereo; two emulated cores)")
	var fwd forwards
	fs.Var(&fwd, "hostfwd", "forward a host loopback port to the guest: udp|tcp:HOSTPORT:GUESTPORT (repeatable)")
	pbxConf := fs.String("pbx", "", "start the embedded IAX2 peer with this config file beside the guest (it is 10.0.2.2 there)")
	pbxLog := fs.String("pbx-log", "build/iaxpbx.log", "where the IAX2 peer's log goes")
	modem := fs.Bool("modem", false, "start modemsim beside the guest as its modem (the guest's /dev/hvc0)")
	modemLog := fs.String("modem-log", "build/modemsim.log", "where modemsim's log goes (every AT command the guest sent)")
	ui := fs.Bool("ui", false, "show the call screen (phoneui) on the console, the shell one ^C away: adds "+uiParam+" to the kernel command line")
	if code, ok := command.Parse(fs, args, env); !ok {
		return command.ExitError{Code: code}
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected arguments %q (ringo-boot takes only flags; -h lists them)", command.ErrUsage, fs.Args())
	}
	cfg.HostForwards = fwd
	if *ui {
		cfg.Append = strings.TrimSpace(cfg.Append + " " + uiParam)
	}
	if *pbxConf != "" && !cfg.Isolate {
		return fmt.Errorf("-pbx needs -isolate: the peer listens in the guest's own namespace")
	}
	if *modem {
		dir, err := os.MkdirTemp("", "ringo-modem-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		cfg.ModemSocket = filepath.Join(dir, "modem.sock")
		control := filepath.Join(dir, "modem.ctl")
		sim, err := startModemsim(cfg.ModemSocket, control, *modemLog)
		if err != nil {
			return err
		}
		defer func() {
			sim.Process.Kill()
			sim.Wait()
		}()
		fmt.Fprintf(stderr, "ringo-boot: modemsim is the guest's modem (/dev/hvc0); its log is %s; to ring the handset:\n"+
			"    modemsim -control %s -send 'ring 5551234 Alice'\n", *modemLog, control)
	}
	if cfg.SoundWAV != "" {
		fmt.Fprintf(stderr, "ringo-boot: the guest's speaker (QEMU's USB sound card) plays into %s while a call has audio\n", cfg.SoundWAV)
	}
	fmt.Fprintln(stderr, "ringo-boot: booting; Ctrl-A X or `poweroff` leaves, ^C goes to the guest")
	// QEMU puts the terminal in raw mode and puts it back when it exits
	// by itself; killed, it cannot.
	if mode, err := tty.Save(int(os.Stdin.Fd())); err == nil {
		defer mode.Restore(int(os.Stdin.Fd()))
	}
	m, err := qemu.Start(ctx, cfg)
	if err != nil {
		return err
	}
	defer m.Close() // also removes QEMU's temporary directory
	if *pbxConf != "" {
		pbx, err := startPBX(m, *pbxConf, *pbxLog)
		if err != nil {
			return err
		}
		defer func() {
			pbx.Process.Kill()
			pbx.Wait()
		}()
		fmt.Fprintf(stderr, "ringo-boot: iaxpbx (%s) listens for the guest at 10.0.2.2:4569; its log is %s\n", *pbxConf, *pbxLog)
		if hint := callHint(*pbxConf, m.Pid()); hint != "" {
			fmt.Fprintln(stderr, hint)
		}
	}
	if err := m.Wait(ctx); err != nil {
		if ctx.Err() != nil {
			return errors.New("stopped by a signal; QEMU was stopped and its temporary files removed")
		}
		return fmt.Errorf("QEMU failed: %w", err)
	}
	return nil
}

// startPBX runs iaxpbx (found next to this program, else on PATH) in the
// machine's network namespace.
func startPBX(m *qemu.Machine, conf, logPath string) (*exec.Cmd, error) {
	bin := "iaxpbx"
	if self, err := os.Executable(); err == nil {
		if p := filepath.Join(filepath.Dir(self), "iaxpbx"); fileExists(p) {
			bin = p
		}
	}
	if !fileExists(bin) {
		p, err := exec.LookPath(bin)
		if err != nil {
			return nil, fmt.Errorf("iaxpbx: %w (run make build)", err)
		}
		bin = p
	}
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := m.Command(bin, "-config", conf)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("iaxpbx: %w", err)
	}
	return cmd, nil
}

// startModemsim runs modemsim (found next to this program, else on PATH)
// serving the modem on sock; QEMU joins it to the guest's virtio console
// and reconnects if it is not listening yet.
func startModemsim(sock, control, logPath string) (*exec.Cmd, error) {
	bin, err := hostTool("modemsim")
	if err != nil {
		return nil, err
	}
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "-socket", sock, "-control", control)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("modemsim: %w", err)
	}
	logf.Close() // the child has its own descriptor
	return cmd, nil
}

// hostTool finds a host tool next to this program, else on PATH.
func hostTool(name string) (string, error) {
	if self, err := os.Executable(); err == nil {
		if p := filepath.Join(filepath.Dir(self), name); fileExists(p) {
			return p, nil
		}
	}
	p, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("%s: %w (run make build)", name, err)
	}
	return p, nil
}

func fileExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir()
}

// callHint says how to ring the handset from this machine: iaxcli run in
// the guest's network namespace, where iaxpbx listens, as the config's
// second account calling the first (the handset's). "" when the config
// has fewer than two accounts.
func callHint(pbxConf string, qemuPid int) string {
	b, err := os.ReadFile(pbxConf)
	if err != nil {
		return ""
	}
	c, err := pbx.ParseConfig(b)
	if err != nil || len(c.Users) < 2 {
		return ""
	}
	handset, caller := c.Users[0], c.Users[1]
	dial := handset.Number
	if dial == "" {
		dial = handset.Name
	}
	_, port, _ := strings.Cut(c.Listen, ":")
	iaxcli := "iaxcli"
	if self, err := os.Executable(); err == nil {
		if p := filepath.Join(filepath.Dir(self), "iaxcli"); fileExists(p) {
			iaxcli = p
		}
	}
	return fmt.Sprintf("ringo-boot: to ring the handset (%s, number %s) from another terminal, as %s (its secret is in %s):\n"+
		"    nsenter -t %d -n %s call -server 127.0.0.1:%s -user %s -dial %s -duration 30s",
		handset.Name, dial, caller.Name, pbxConf, qemuPid, iaxcli, cmp.Or(port, "4569"), caller.Name, dial)
}
