// Command imageparts says what the initramfs is made of. It has two jobs,
// both about the image by part:
//
//	imageparts modules [-board NAME]
//
// prints each board's kernel modules (its Modules and its sound card's),
// one board a line: "NAME module module ...". initramfs/kernel.sh reads it
// to pack one modules cpio per board, so an image carries only its own
// board's modules.
//
//	imageparts sizes -root build/ringo-root.cpio -uroot build/bench-uroot.cpio \
//	    -modules qemu-virt=build/kernel/modules-qemu-virt.cpio -pulse build/pulseaudio.cpio \
//	    [-each initramfs/mkuimage.yaml]
//
// prints the size of each part in Go's benchmark output format
// ("BenchmarkImage/PART 1 N bytes"), so `make bench` puts it in its one
// table (tools/benchtable): the busybox binary's share that is Ringo's
// (the u-root build with Ringo's commands against the same build without
// them), u-root's commands, the rest of u-root's cpio (directories,
// links, /etc files), each board's modules, PulseAudio and each board's
// total. With -each it also builds every Ringo command the image lists
// alone for arm64 (-trimpath, -ldflags=-s -w) and prints its size: what
// that command would cost outside the busybox binary, which shares the
// runtime and the libraries among all of them.
package main

import (
	"os"

	"github.com/ringo-phone/ringo/internal/command"
)

func main() { command.Main(run, os.Interrupt) }
