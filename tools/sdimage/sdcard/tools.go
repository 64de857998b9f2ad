package sdcard

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
)

// packages names the Debian package of each outside program, for the
// message when one is missing.
var packages = map[string]string{
	"sfdisk": "fdisk", "mformat": "mtools", "mcopy": "mtools", "mkimage": "u-boot-tools",
	"mke2fs": "e2fsprogs", "dpkg-deb": "dpkg", "bmaptool": "bmap-tools",
}

// run runs an outside program and returns its standard output; a failure
// carries its standard error.
func run(ctx context.Context, stdin io.Reader, name string, args ...string) ([]byte, error) {
	path, err := exec.LookPath(name)
	if err != nil {
		return nil, fmt.Errorf("%w: %s is not installed: run `make deps` (Debian package %s)", ErrTool, name, packages[name])
	}
	cmd := exec.CommandContext(ctx, path, args...)
	// mtools refuses a FAT whose geometry it did not make; ours is ours.
	cmd.Env = append(os.Environ(), "MTOOLS_SKIP_CHECK=1")
	cmd.Stdin = stdin
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%w: %s %s: %w: %s", ErrTool, name, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// DebFiles reads files from a Debian package's data (paths as the package
// installs them, without the leading slash: "usr/lib/u-boot/...").
func DebFiles(ctx context.Context, deb string, paths ...string) (map[string][]byte, error) {
	if _, err := os.Stat(deb); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInput, err)
	}
	data, err := run(ctx, nil, "dpkg-deb", "--fsys-tarfile", deb)
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, p := range paths {
		want[p] = true
	}
	out := map[string][]byte{}
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrInput, deb, err)
		}
		name := strings.TrimPrefix(strings.TrimPrefix(h.Name, "."), "/")
		if !want[name] || h.Typeflag != tar.TypeReg {
			continue
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %s: %w", ErrInput, deb, name, err)
		}
		out[name] = b
	}
	for _, p := range paths {
		if _, ok := out[p]; !ok {
			return nil, fmt.Errorf("%w: %s has no /%s", ErrInput, deb, p)
		}
	}
	return out, nil
}
