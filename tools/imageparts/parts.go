package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ringo-phone/ringo/board"
	"github.com/ringo-phone/ringo/internal/command"
	"github.com/u-root/u-root/pkg/cpio"
)

// errUsage is a command line imageparts cannot act on.
var errUsage = errors.New("imageparts: usage: imageparts modules [-board NAME] | imageparts sizes -root CPIO -uroot CPIO -modules BOARD=CPIO[,...] -pulse CPIO [-each MKUIMAGE.YAML]")

func run(ctx context.Context, args []string, env command.Env) int {
	if len(args) == 0 {
		fmt.Fprintln(env.Stderr, errUsage)
		return command.ExitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprintf(env.Stdout, "usage: imageparts modules [-board NAME]\n       imageparts sizes -root CPIO -uroot CPIO -modules BOARD=CPIO[,...] -pulse CPIO [-each MKUIMAGE.YAML]\n"+
			"(\"imageparts JOB -h\" shows a job's flags)\n")
		return command.ExitOK
	case "modules":
		return modulesCmd(args[1:], env)
	case "sizes":
		return sizesCmd(ctx, args[1:], env)
	}
	fmt.Fprintf(env.Stderr, "imageparts: unknown job %q: give modules or sizes\n%v\n", args[0], errUsage)
	return command.ExitUsage
}

func modulesCmd(args []string, env command.Env) int {
	fs := flag.NewFlagSet("imageparts modules", flag.ContinueOnError)
	name := fs.String("board", "", "only this board (default: every board with modules)")
	if code, ok := command.Parse(fs, args, env); !ok {
		return code
	}
	boards := board.Known()
	if *name != "" {
		b, err := board.ByName(*name)
		if err != nil {
			return command.Exit(env, "imageparts", err)
		}
		boards = []board.Board{b}
	}
	for _, b := range boards {
		if mods := boardModules(b); len(mods) > 0 {
			fmt.Fprintln(env.Stdout, b.Name, strings.Join(mods, " "))
		}
	}
	return command.ExitOK
}

// boardModules is every module a board loads: its own, then its sound
// card's, each name once.
func boardModules(b board.Board) []string {
	var ms []board.Module
	ms = append(ms, b.Modules...)
	if b.Audio != nil {
		ms = append(ms, b.Audio.Modules...)
	}
	seen := map[string]bool{}
	var out []string
	for _, m := range ms {
		if !seen[m.Name] {
			seen[m.Name] = true
			out = append(out, m.Name)
		}
	}
	return out
}

func sizesCmd(ctx context.Context, args []string, env command.Env) int {
	fs := flag.NewFlagSet("imageparts sizes", flag.ContinueOnError)
	root := fs.String("root", "", "u-root's cpio with Ringo's commands (build/ringo-root.cpio)")
	uroot := fs.String("uroot", "", "the same build without Ringo's commands (mkuimage.yaml's uroot-only config)")
	modules := fs.String("modules", "", "each board's modules cpio, BOARD=PATH, comma-separated")
	pulse := fs.String("pulse", "", "PulseAudio's cpio (build/pulseaudio.cpio)")
	each := fs.String("each", "", "mkuimage.yaml: build each Ringo command it lists alone and print its size")
	if code, ok := command.Parse(fs, args, env); !ok {
		return code
	}
	if *root == "" || *uroot == "" || *modules == "" || *pulse == "" {
		fmt.Fprintln(env.Stderr, errUsage)
		return command.ExitUsage
	}
	ps, err := measure(*root, *uroot, *modules, *pulse)
	if err == nil && *each != "" {
		var alone []part
		alone, err = buildEach(ctx, *each)
		ps = append(ps, alone...)
	}
	if err != nil {
		return command.Exit(env, "imageparts", err)
	}
	for _, p := range ps {
		fmt.Fprintf(env.Stdout, "BenchmarkImage/%s \t1\t%d bytes\n", p.name, p.bytes)
	}
	return command.ExitOK
}

// part is one named piece of the image and its size.
type part struct {
	name  string
	bytes int64
}

// bbPath is where u-root's busybox binary sits in its cpio.
const bbPath = "bbin/bb"

func measure(root, uroot, modules, pulse string) ([]part, error) {
	rootSize, bb, err := cpioSizes(root)
	if err != nil {
		return nil, err
	}
	_, urootBB, err := cpioSizes(uroot)
	if err != nil {
		return nil, err
	}
	pulseSize, err := fileSize(pulse)
	if err != nil {
		return nil, err
	}
	ps := []part{
		{"ringo", bb - urootBB},
		{"u-root-commands", urootBB},
		{"u-root-rest", rootSize - bb},
		{"pulseaudio", pulseSize},
	}
	mods, err := parseBoardPaths(modules)
	if err != nil {
		return nil, err
	}
	for _, m := range mods {
		n, err := fileSize(m.path)
		if err != nil {
			return nil, err
		}
		ps = append(ps, part{"modules-" + m.board, n}, part{"total-" + m.board, rootSize + n + pulseSize})
	}
	return ps, nil
}

type boardPath struct{ board, path string }

func parseBoardPaths(s string) ([]boardPath, error) {
	var out []boardPath
	for _, f := range strings.Split(s, ",") {
		b, p, ok := strings.Cut(f, "=")
		if !ok || b == "" || p == "" {
			return nil, fmt.Errorf("%w: -modules %q: want BOARD=PATH[,BOARD=PATH...], e.g. qemu-virt=build/kernel/modules-qemu-virt.cpio", errUsage, f)
		}
		out = append(out, boardPath{b, p})
	}
	return out, nil
}

func fileSize(path string) (int64, error) {
	st, err := os.Stat(path)
	if err != nil {
		return 0, fmt.Errorf("image part: %w (run make image first)", err)
	}
	return st.Size(), nil
}

// cpioSizes returns a cpio file's size and the size of the busybox binary
// in it.
func cpioSizes(path string) (total, bb int64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, fmt.Errorf("image part: %w (run make image first)", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, 0, err
	}
	recs, err := cpio.ReadAllRecords(cpio.Newc.Reader(f))
	if err != nil {
		return 0, 0, fmt.Errorf("%s: not a newc cpio: %w", path, err)
	}
	for _, r := range recs {
		if strings.TrimPrefix(r.Name, "/") == bbPath {
			return st.Size(), int64(r.FileSize), nil
		}
	}
	return 0, 0, fmt.Errorf("%s has no %s: is it u-root's busybox image?", path, bbPath)
}

// ringoCommands reads the Ringo packages an mkuimage.yaml lists (lines
// "- github.com/ringo-phone/ringo/..." under its command lists).
func ringoCommands(r io.Reader) ([]string, error) {
	const prefix = "github.com/ringo-phone/ringo/"
	var pkgs []string
	s := bufio.NewScanner(r)
	for s.Scan() {
		line := strings.TrimSpace(s.Text())
		if p, ok := strings.CutPrefix(line, "- "); ok && strings.HasPrefix(p, prefix) {
			pkgs = append(pkgs, p)
		}
	}
	if err := s.Err(); err != nil {
		return nil, err
	}
	if len(pkgs) == 0 {
		return nil, fmt.Errorf("no %s... commands listed", prefix)
	}
	sort.Strings(pkgs)
	return pkgs, nil
}

// buildEach builds each Ringo command the config lists alone, as the
// image builds them (arm64, -trimpath, -s -w), and returns their sizes.
func buildEach(ctx context.Context, config string) ([]part, error) {
	f, err := os.Open(config)
	if err != nil {
		return nil, err
	}
	pkgs, err := ringoCommands(f)
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", config, err)
	}
	dir, err := os.MkdirTemp("", "imageparts-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	var ps []part
	for _, p := range pkgs {
		name := filepath.Base(p)
		out := filepath.Join(dir, name)
		cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-tags", "goshliner", "-ldflags=-s -w", "-o", out, p)
		cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0")
		if b, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("go build %s for arm64: %w\n%s", p, err, b)
		}
		n, err := fileSize(out)
		if err != nil {
			return nil, err
		}
		ps = append(ps, part{"alone/" + name, n})
	}
	return ps, nil
}
