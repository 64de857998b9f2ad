package sdcard

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/ringo-phone/ringo/board"
	"github.com/ringo-phone/ringo/internal/command"
)

// Main is the sdimage command: it builds a board's SD-card image and says
// what went where.
func Main(ctx context.Context, args []string, env command.Env) int {
	fs := flag.NewFlagSet("sdimage", flag.ContinueOnError)
	boardName := fs.String("board", "pinephone-1.2", "the board (one of: "+strings.Join(targetNames(), ", ")+")")
	kernel := fs.String("kernel", "build/kernel/vmlinuz", "Debian's arm64 kernel Image")
	dtbs := fs.String("dtbs", "build/kernel/dtbs", "the kernel package's device tree directory")
	initrd := fs.String("initrd", "", "Ringo's initramfs for the board, its modules only (default build/ringo-BOARD.cpio)")
	deb := fs.String("uboot-deb", "build/u-boot/u-boot-sunxi.deb", "Debian's u-boot-sunxi:arm64 package")
	out := fs.String("o", "", "the image to write (default build/ringo-BOARD.img)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: sdimage [flags]\n\nBuilds a flashable SD-card image from Debian's U-Boot and kernel and Ringo's\ninitramfs (make image BOARD=pinephone-1.2 runs it). Flags:\n")
		fs.PrintDefaults()
	}
	if code, ok := command.Parse(fs, args, env); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return command.Exit(env, "sdimage", fmt.Errorf("%w: unexpected argument %q: sdimage takes flags only", command.ErrUsage, fs.Arg(0)))
	}
	t, err := TargetByName(*boardName)
	if err != nil {
		return command.Exit(env, "sdimage", fmt.Errorf("%w: %w", command.ErrUsage, err))
	}
	b, err := board.ByName(t.Board)
	if err != nil {
		return command.Exit(env, "sdimage", err)
	}
	if *out == "" {
		*out = filepath.Join("build", "ringo-"+t.Board+".img")
	}
	if *initrd == "" {
		*initrd = filepath.Join("build", "ringo-"+t.Board+".cpio")
	}
	res, err := Build(ctx, Config{Target: t, Board: b, Kernel: *kernel, DTBs: *dtbs, Initrd: *initrd, UBootDeb: *deb, Out: *out})
	if err != nil {
		return command.Exit(env, "sdimage", err)
	}
	res.Print(env.Stdout)
	return command.ExitOK
}

func targetNames() []string {
	var n []string
	for _, t := range Targets() {
		n = append(n, t.Board)
	}
	return n
}

// Print says what is where in the image, sizes by part.
func (r Result) Print(w io.Writer) {
	fmt.Fprintf(w, "sdimage: %s, %s\n", r.Image, human(r.Size))
	for _, p := range r.Parts {
		fmt.Fprintf(w, "  %-16s %9s at %-8s %s\n", p.What, human(p.Size), human(p.Offset), p.Detail)
	}
	fmt.Fprintf(w, "  boot files:")
	for _, f := range r.Files {
		fmt.Fprintf(w, " %s %s", f.Name, human(f.Size))
	}
	fmt.Fprintf(w, "\n  boot.scr loads: %s; %s; %s\n  kernel command line: %s\n", r.Plan.Kernel, r.Plan.FDT, r.Plan.Initrd, r.Plan.Bootargs)
	if r.Bmap != "" {
		fmt.Fprintf(w, "  block map: %s\n", r.Bmap)
	} else {
		fmt.Fprintf(w, "  no block map: bmaptool is not installed (Debian package bmap-tools)\n")
	}
	fmt.Fprintf(w, "Write it to a card with bmaptool or dd: docs/boards/pinephone.md says how.\n")
}

// human prints a size in B, KiB or MiB, one decimal where it is not whole.
func human(n int64) string {
	switch {
	case n == 0:
		return "0"
	case n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
