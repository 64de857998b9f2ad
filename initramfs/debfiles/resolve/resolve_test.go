package resolve

import (
	"context"
	"debug/elf"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/ringo-phone/ringo/internal/testenv"
)

// fakeArchive is packages unpacked in a test directory. It is strict:
// unpacking a package it does not have is an error, and it records what
// was unpacked.
type fakeArchive struct {
	pkgs     map[string]*Package
	unpacked []string
}

func (a *fakeArchive) Unpack(_ context.Context, name string) (*Package, error) {
	p, ok := a.pkgs[name]
	if !ok {
		return nil, fmt.Errorf("%w: %s is not in the fake archive", ErrPackage, name)
	}
	a.unpacked = append(a.unpacked, name)
	return p, nil
}

// host is the ELF machine and multiarch triplet the test's compiler
// builds for.
func host(t *testing.T) (elf.Machine, string) {
	switch runtime.GOARCH {
	case "amd64":
		return elf.EM_X86_64, "x86_64-linux-gnu"
	case "arm64":
		return elf.EM_AARCH64, "aarch64-linux-gnu"
	}
	t.Skipf("no triplet for %s", runtime.GOARCH)
	return 0, ""
}

// build compiles C source into out with gcc (no C library: the files
// only need their dynamic sections).
func build(t *testing.T, dir, src, out string, args ...string) {
	t.Helper()
	c := filepath.Join(dir, filepath.Base(out)+".c")
	if err := os.WriteFile(c, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("gcc", append([]string{"-nostdlib", "-fPIC", "-Wl,--enable-new-dtags", "-o", out, c}, args...)...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gcc %s: %v\n%s", out, err, b)
	}
}

// testArchive builds a small archive:
//
//	app        /usr/bin/prog (loader /lib/ld-test.so.1; needs libfoo.so.2
//	           and libpriv.so, the latter by its RUNPATH $ORIGIN/../lib/app),
//	           /usr/lib/app/libpriv.so, /usr/share/app/{a,b}.conf;
//	           depends on zz-unneeded, libfoo2, libc-test
//	libfoo2    /usr/lib/T/libfoo.so.2 -> libfoo.so.2.0, which needs libbar.so.1;
//	           depends on libbar-missing | libbar1
//	libbar1    /usr/lib/T/libbar.so.1 -> libbar.so.1.0
//	libc-test  /lib/ld-test.so.1 -> T/ld-test.so.1 (a plain file here)
//	zz-unneeded a library nobody needs
func testArchive(t *testing.T) (*fakeArchive, elf.Machine, string) {
	testenv.RequireTool(t, "gcc")
	machine, triplet := host(t)
	work := t.TempDir()
	src := t.TempDir()
	dir := func(pkg string) string { return filepath.Join(work, pkg) }
	lib := func(pkg string) string { return filepath.Join(dir(pkg), "usr/lib", triplet) }

	build(t, src, "int bar(void) { return 1; }", filepath.Join(lib("libbar1"), "libbar.so.1.0"), "-shared", "-Wl,-soname,libbar.so.1")
	os.Symlink("libbar.so.1.0", filepath.Join(lib("libbar1"), "libbar.so.1"))
	build(t, src, "int bar(void); int foo(void) { return bar(); }", filepath.Join(lib("libfoo2"), "libfoo.so.2.0"), "-shared", "-Wl,-soname,libfoo.so.2",
		filepath.Join(lib("libbar1"), "libbar.so.1"))
	os.Symlink("libfoo.so.2.0", filepath.Join(lib("libfoo2"), "libfoo.so.2"))
	build(t, src, "int priv(void) { return 2; }", filepath.Join(dir("app"), "usr/lib/app/libpriv.so"), "-shared", "-Wl,-soname,libpriv.so")
	build(t, src, "int foo(void); int priv(void); void entry(void) { foo(); priv(); for (;;); }", filepath.Join(dir("app"), "usr/bin/prog"),
		"-Wl,-e,entry", "-Wl,--dynamic-linker=/lib/ld-test.so.1", "-Wl,-rpath,$ORIGIN/../lib/app", "-Wl,-rpath-link,"+lib("libbar1"),
		filepath.Join(lib("libfoo2"), "libfoo.so.2"), filepath.Join(dir("app"), "usr/lib/app/libpriv.so"))
	for _, f := range []string{"usr/share/app/a.conf", "usr/share/app/b.conf", "lib/" + triplet + "/ld-test.so.1"} {
		pkg := "app"
		if strings.Contains(f, "ld-test") {
			pkg = "libc-test"
		}
		p := filepath.Join(dir(pkg), f)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte("data "+f), 0o644)
	}
	os.Symlink(triplet+"/ld-test.so.1", filepath.Join(dir("libc-test"), "lib/ld-test.so.1"))
	build(t, src, "int unneeded(void) { return 3; }", filepath.Join(lib("zz-unneeded"), "libunneeded.so.1"), "-shared")

	a := &fakeArchive{pkgs: map[string]*Package{
		"app":         {Name: "app", Dir: dir("app"), Depends: [][]string{{"zz-unneeded"}, {"libfoo2"}, {"libc-test"}}},
		"libfoo2":     {Name: "libfoo2", Dir: dir("libfoo2"), Depends: [][]string{{"libbar-missing", "libbar1"}}},
		"libbar1":     {Name: "libbar1", Dir: dir("libbar1")},
		"libc-test":   {Name: "libc-test", Dir: dir("libc-test")},
		"zz-unneeded": {Name: "zz-unneeded", Dir: dir("zz-unneeded")},
	}}
	return a, machine, triplet
}

// The listed files, the loader, and the libraries the program loads (by
// its RUNPATH and by the default directories, through the dependencies
// of the package that needs each), with their links; nothing from the
// package no one needs.
func TestResolve(t *testing.T) {
	a, machine, triplet := testArchive(t)
	wants, err := ParseList(strings.NewReader("# the app\napp /usr/bin/prog\napp /usr/share/app/*.conf # both\n"))
	if err != nil {
		t.Fatal(err)
	}
	files, err := Resolve(context.Background(), Config{Archive: a, Machine: machine, Triplet: triplet}, wants)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range files {
		got = append(got, fmt.Sprintf("%s %s %s", f.Path, f.Package, f.Why))
	}
	T := triplet
	want := []string{
		"/lib/ld-test.so.1 libc-test needed by /usr/bin/prog",
		"/lib/" + T + "/ld-test.so.1 libc-test target of /lib/ld-test.so.1",
		"/usr/bin/prog app listed (line 2)",
		"/usr/lib/app/libpriv.so app needed by /usr/bin/prog",
		"/usr/lib/" + T + "/libbar.so.1 libbar1 needed by /usr/lib/" + T + "/libfoo.so.2.0",
		"/usr/lib/" + T + "/libbar.so.1.0 libbar1 target of /usr/lib/" + T + "/libbar.so.1",
		"/usr/lib/" + T + "/libfoo.so.2 libfoo2 needed by /usr/bin/prog",
		"/usr/lib/" + T + "/libfoo.so.2.0 libfoo2 target of /usr/lib/" + T + "/libfoo.so.2",
		"/usr/share/app/a.conf app listed (line 3)",
		"/usr/share/app/b.conf app listed (line 3)",
	}
	if !slices.Equal(got, want) {
		t.Errorf("Resolve =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if slices.Contains(a.unpacked, "zz-unneeded") {
		t.Errorf("unpacked %q: the unneeded package too", a.unpacked)
	}
	for _, f := range files {
		if (f.Link != "") == (f.Size > 0) {
			t.Errorf("%s: link %q size %d, want one or the other", f.Path, f.Link, f.Size)
		}
	}

	out := filepath.Join(t.TempDir(), "root")
	if err := Copy(files, out); err != nil {
		t.Fatal(err)
	}
	if l, err := os.Readlink(filepath.Join(out, "usr/lib", T, "libfoo.so.2")); err != nil || l != "libfoo.so.2.0" {
		t.Errorf("copied link = %q, %v", l, err)
	}
	if fi, err := os.Stat(filepath.Join(out, "usr/bin/prog")); err != nil || fi.Mode().Perm()&0o111 == 0 {
		t.Errorf("copied program: %v, %v; want it executable", fi, err)
	}
}

func TestResolveErrors(t *testing.T) {
	a, machine, triplet := testArchive(t)
	cfg := Config{Archive: a, Machine: machine, Triplet: triplet}
	for _, tc := range []struct {
		name, list string
		cfg        func(Config) Config
		err        error
		says       string
	}{
		{"no match", "app /usr/bin/nothing*", nil, ErrNoMatch, "line 1: /usr/bin/nothing* in package app"},
		{"unknown package", "nosuch /x", nil, ErrPackage, "nosuch is not in the fake archive"},
		{"directory", "app /usr/share/app", nil, nil, "is a directory: list the files in it"},
		{"wrong machine", "app /usr/bin/prog", func(c Config) Config {
			c.Machine = elf.EM_RISCV
			return c
		}, ErrELF, "for another architecture"},
		{"missing library", "libfoo2 /usr/lib/*/libfoo.so.2.0", func(c Config) Config {
			delete(a.pkgs, "libbar1")
			return c
		}, ErrMissing, "libbar.so.1, needed by /usr/lib/" + triplet + "/libfoo.so.2.0 (package libfoo2), is in no package fetched nor in libfoo2's dependencies (tried libbar-missing, libbar1)"},
	} {
		c := cfg
		if tc.cfg != nil {
			c = tc.cfg(cfg)
		}
		wants, err := ParseList(strings.NewReader(tc.list))
		if err != nil {
			t.Fatal(err)
		}
		_, err = Resolve(context.Background(), c, wants)
		if err == nil || (tc.err != nil && !errors.Is(err, tc.err)) || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: Resolve = %v, want %v saying %q", tc.name, err, tc.err, tc.says)
		}
	}
}

func TestParseList(t *testing.T) {
	got, err := ParseList(strings.NewReader("\n# comment\npulseaudio /usr/bin/pulseaudio /usr/lib/pulse-*/modules/m.so\nlibasound2-data /usr/share/alsa//alsa.conf\n"))
	want := []Want{
		{Package: "pulseaudio", Pattern: "/usr/bin/pulseaudio", Line: 3},
		{Package: "pulseaudio", Pattern: "/usr/lib/pulse-*/modules/m.so", Line: 3},
		{Package: "libasound2-data", Pattern: "/usr/share/alsa/alsa.conf", Line: 4},
	}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("ParseList = %+v, %v, want %+v", got, err, want)
	}
	for in, says := range map[string]string{
		"pulseaudio\n":            "line 1: \"pulseaudio\" names a package but no path",
		"# x\npulseaudio usr/bin": "line 2: path \"usr/bin\" is not absolute",
		"p /a/[":                  "line 1: glob \"/a/[\"",
	} {
		if _, err := ParseList(strings.NewReader(in)); !errors.Is(err, ErrList) || !strings.Contains(err.Error(), says) {
			t.Errorf("ParseList(%q) = %v, want ErrList saying %q", in, err, says)
		}
	}
}

func TestParseDepends(t *testing.T) {
	got := parseDepends("Pre-Depends: init-system-helpers (>= 1.54~)\nDepends: libc6 (>= 2.34), libasound2 (>= 1.0.16), debconf (>= 0.5) | debconf-2.0, python3:any, libfoo [arm64]\n")
	want := [][]string{{"init-system-helpers"}, {"libc6"}, {"libasound2"}, {"debconf", "debconf-2.0"}, {"python3"}, {"libfoo"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("parseDepends = %q, want %q", got, want)
	}
	if got := parseDepends("libc6 (>= 2.34)\n"); fmt.Sprint(got) != "[[libc6]]" {
		t.Errorf("parseDepends of a bare field = %q", got)
	}
}
