package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/ringo-phone/ringo/board"
	"github.com/ringo-phone/ringo/internal/command"
)

func TestRingoCommands(t *testing.T) {
	f, err := os.Open("../../initramfs/mkuimage.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pkgs, err := ringoCommands(f)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"github.com/ringo-phone/ringo/firmware/uinit", "github.com/ringo-phone/ringo/firmware/phoned", "github.com/ringo-phone/ringo/firmware/iaxagent"} {
		if !slices.Contains(pkgs, want) {
			t.Errorf("ringoCommands(mkuimage.yaml) = %v, lacks %s", pkgs, want)
		}
	}
	if _, err := ringoCommands(strings.NewReader("commands:\n  core:\n    - github.com/u-root/u-root/cmds/core/ls\n")); err == nil {
		t.Error("ringoCommands of a list without Ringo's commands = nil error, want one")
	}
}

func TestBoardModules(t *testing.T) {
	mods := boardModules(board.QEMUVirt)
	for _, want := range []string{"virtio_blk", "ext4", "snd-usb-audio"} { // the card's too
		if !slices.Contains(mods, want) {
			t.Errorf("boardModules(qemu-virt) = %v, lacks %s", mods, want)
		}
	}
	if slices.Contains(mods, "sun4i-lradc-keys") {
		t.Errorf("boardModules(qemu-virt) = %v has the PinePhone's", mods)
	}
	seen := map[string]bool{}
	for _, m := range mods {
		if seen[m] {
			t.Errorf("boardModules(qemu-virt) lists %s twice", m)
		}
		seen[m] = true
	}
}

func TestModulesCmd(t *testing.T) {
	var out, errb bytes.Buffer
	env := command.Env{Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
	if code := run(context.Background(), []string{"modules", "-board", "pinephone-1.2"}, env); code != 0 {
		t.Fatalf("imageparts modules -board pinephone-1.2 = %d, %s", code, errb.String())
	}
	if !strings.HasPrefix(out.String(), "pinephone-1.2 axp20x-rsb ") || strings.Count(out.String(), "\n") != 1 {
		t.Errorf("imageparts modules -board pinephone-1.2 printed %q", out.String())
	}
	if code := run(context.Background(), []string{"sizes"}, env); code != command.ExitUsage {
		t.Errorf("imageparts sizes without its files = %d, want %d", code, command.ExitUsage)
	}
}

func TestParseBoardPaths(t *testing.T) {
	got, err := parseBoardPaths("qemu-virt=a.cpio,pinephone-1.2=b.cpio")
	if err != nil || len(got) != 2 || got[1] != (boardPath{"pinephone-1.2", "b.cpio"}) {
		t.Errorf("parseBoardPaths = %v, %v", got, err)
	}
	if _, err := parseBoardPaths("a.cpio"); !errors.Is(err, errUsage) {
		t.Errorf("parseBoardPaths(no board) = %v, want errUsage", err)
	}
}
