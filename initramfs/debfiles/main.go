// Command debfiles copies into a directory the files an image takes from
// Debian packages of another architecture: those a list names, and the
// shared libraries their ELF files load, found as the dynamic loader finds
// them (package initramfs/debfiles/resolve). The Makefile runs it for
// PulseAudio and packs the directory as a cpio appended to the image.
//
//	debfiles -list initramfs/pulseaudio.files -cache build/debs -work build/debs/unpacked -out build/pulseaudio-root
//
// It prints one line per file (size, path, package, why) to -manifest, and
// a summary on standard output. It exits 0 when every file and library was
// found, 1 otherwise, 2 for a bad flag.
package main

import (
	"context"
	"debug/elf"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/ringo-phone/ringo/initramfs/debfiles/resolve"
	"github.com/ringo-phone/ringo/internal/command"
)

func main() { command.Main(debfiles, os.Interrupt) }

func debfiles(ctx context.Context, args []string, env command.Env) int {
	return command.Exit(env, "debfiles", run(ctx, args, env))
}

// arches maps a Debian architecture to its ELF machine and multiarch
// triplet.
var arches = map[string]struct {
	machine elf.Machine
	triplet string
}{
	"arm64": {elf.EM_AARCH64, "aarch64-linux-gnu"},
	"amd64": {elf.EM_X86_64, "x86_64-linux-gnu"},
	"armhf": {elf.EM_ARM, "arm-linux-gnueabihf"},
}

func run(ctx context.Context, args []string, env command.Env) error {
	fs := flag.NewFlagSet("debfiles", flag.ContinueOnError)
	list := fs.String("list", "", "the file list: PACKAGE /PATH-OR-GLOB... a line")
	arch := fs.String("arch", "arm64", "Debian architecture of the packages")
	cache := fs.String("cache", "build/debs", "directory for downloaded packages (kept)")
	work := fs.String("work", "", "directory for unpacked packages (kept; default CACHE/unpacked)")
	out := fs.String("out", "", "directory to write the files to (replaced)")
	manifest := fs.String("manifest", "", "write one line per file here: size, path, package, why")
	verbose := fs.Bool("v", false, "say which packages are fetched and which candidates tried")
	if code, ok := command.Parse(fs, args, env); !ok {
		return command.ExitError{Code: code}
	}
	if *list == "" || *out == "" || fs.NArg() > 0 {
		return fmt.Errorf("%w: want -list FILE -out DIR (and no arguments); debfiles -h lists the flags", command.ErrUsage)
	}
	a, ok := arches[*arch]
	if !ok {
		return fmt.Errorf("%w: -arch %q: want one of arm64, amd64, armhf", command.ErrUsage, *arch)
	}
	if *work == "" {
		*work = filepath.Join(*cache, "unpacked")
	}
	lf, err := os.Open(*list)
	if err != nil {
		return err
	}
	wants, err := resolve.ParseList(lf)
	lf.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", *list, err)
	}
	logf := func(format string, args ...any) {}
	if *verbose {
		logf = func(format string, args ...any) { fmt.Fprintf(env.Stderr, "debfiles: "+format+"\n", args...) }
	}
	deb := &resolve.Debian{Arch: *arch, Cache: *cache, Work: *work, Log: logf, Update: aptUpdate(*arch)}
	files, err := resolve.Resolve(ctx, resolve.Config{Archive: deb, Machine: a.machine, Triplet: a.triplet, Log: logf}, wants)
	if err != nil {
		return fmt.Errorf("%s: %w", *list, err)
	}
	tmp := *out + ".tmp"
	os.RemoveAll(tmp)
	if err := resolve.Copy(files, tmp); err != nil {
		return err
	}
	os.RemoveAll(*out)
	if err := os.Rename(tmp, *out); err != nil {
		return err
	}
	var total int64
	pkgs := map[string]bool{}
	for _, f := range files {
		total += f.Size
		pkgs[f.Package] = true
	}
	where := ""
	if *manifest != "" {
		if err := writeManifest(*manifest, files); err != nil {
			return err
		}
		where = "; each file and why: " + *manifest
	}
	fmt.Fprintf(env.Stdout, "debfiles: %d files, %d bytes, from %d packages%s\n", len(files), total, len(pkgs), where)
	return nil
}

func writeManifest(name string, files []resolve.File) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(f, 0, 8, 1, ' ', 0)
	for _, x := range files {
		what := x.Why
		if x.Link != "" {
			what = "-> " + x.Link + "; " + what
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\n", x.Size, x.Path, x.Package, what)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// aptUpdate refreshes the index of the host's and arch's packages only
// (another architecture's index can be mid-sync on the mirror), through
// sudo when not root.
func aptUpdate(arch string) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		host, err := exec.CommandContext(ctx, "dpkg", "--print-architecture").Output()
		if err != nil {
			return err
		}
		argv := []string{"apt-get", "update", "-q", "-o", "APT::Architectures=" + strings.TrimSpace(string(host)) + "," + arch}
		if os.Geteuid() != 0 {
			argv = append([]string{"sudo"}, argv...)
		}
		if out, err := exec.CommandContext(ctx, argv[0], argv[1:]...).CombinedOutput(); err != nil {
			return fmt.Errorf("%s: %w: %s", strings.Join(argv, " "), err, out)
		}
		return nil
	}
}
