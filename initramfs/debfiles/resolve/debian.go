package resolve

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

// Debian is the Archive of Debian's packages for one architecture: it
// downloads a package with apt-get download into Cache (Arch's package, or
// the architecture-independent one), and unpacks it with
// dpkg-deb -x into Work/NAME. Both are kept: a second run with the same
// package file downloads and unpacks nothing.
type Debian struct {
	Arch  string // Debian architecture, e.g. "arm64"
	Cache string // downloaded .deb files
	Work  string // unpacked packages
	// Update refreshes the package index once when a download fails (the
	// index may name a version the mirror no longer has); nil does not.
	Update func(ctx context.Context) error
	// Log, if set, hears each download.
	Log func(format string, args ...any)

	updated bool
}

// Unpack implements Archive.
func (d *Debian) Unpack(ctx context.Context, name string) (*Package, error) {
	if !validName.MatchString(name) {
		return nil, fmt.Errorf("%w: %q is not a Debian package name", ErrPackage, name)
	}
	deb, err := d.fetch(ctx, name)
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(d.Work, name)
	stamp := dir + ".unpacked"
	if b, err := os.ReadFile(stamp); err != nil || string(b) != filepath.Base(deb) {
		os.RemoveAll(dir)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		if out, err := exec.CommandContext(ctx, "dpkg-deb", "-x", deb, dir).CombinedOutput(); err != nil {
			return nil, fmt.Errorf("%w: dpkg-deb -x %s: %w: %s", ErrPackage, deb, err, bytes.TrimSpace(out))
		}
		if err := os.WriteFile(stamp, []byte(filepath.Base(deb)), 0o644); err != nil {
			return nil, err
		}
	}
	out, err := exec.CommandContext(ctx, "dpkg-deb", "-f", deb, "Pre-Depends", "Depends").Output()
	if err != nil {
		return nil, fmt.Errorf("%w: dpkg-deb -f %s: %w", ErrPackage, deb, err)
	}
	return &Package{Name: name, Dir: dir, Depends: parseDepends(string(out))}, nil
}

var validName = regexp.MustCompile(`^[a-z0-9][a-z0-9+.-]+$`)

// fetch returns the package's file in the cache, downloading it if needed.
func (d *Debian) fetch(ctx context.Context, name string) (string, error) {
	if deb := d.cached(name); deb != "" {
		return deb, nil
	}
	if err := os.MkdirAll(d.Cache, 0o755); err != nil {
		return "", err
	}
	err := d.download(ctx, name)
	if err != nil && d.Update != nil && !d.updated {
		d.updated = true
		if uerr := d.Update(ctx); uerr != nil {
			return "", fmt.Errorf("%w; refreshing the package index failed too: %w", err, uerr)
		}
		err = d.download(ctx, name)
	}
	if err != nil {
		return "", err
	}
	deb := d.cached(name)
	if deb == "" {
		return "", fmt.Errorf("%w: apt-get download %s left no %s_*_{%s,all}.deb in %s", ErrPackage, name, name, d.Arch, d.Cache)
	}
	return deb, nil
}

// cached is the newest cached file of the package ("" if none).
func (d *Debian) cached(name string) string {
	var found []string
	for _, arch := range []string{d.Arch, "all"} {
		m, _ := filepath.Glob(filepath.Join(d.Cache, name+"_*_"+arch+".deb"))
		found = append(found, m...)
	}
	newest, when := "", int64(0)
	for _, f := range found {
		if fi, err := os.Stat(f); err == nil && fi.ModTime().UnixNano() >= when {
			newest, when = f, fi.ModTime().UnixNano()
		}
	}
	return newest
}

// Prefetch implements Prefetcher: it downloads the packages not in the
// cache yet with one apt-get call (the first alternative of each), and
// leaves any that call could not get to Unpack.
func (d *Debian) Prefetch(ctx context.Context, names []string) {
	var missing []string
	for _, n := range names {
		if validName.MatchString(n) && d.cached(n) == "" {
			missing = append(missing, n)
		}
	}
	if len(missing) < 2 || os.MkdirAll(d.Cache, 0o755) != nil {
		return
	}
	if d.Log != nil {
		d.Log("download %d packages at once", len(missing))
	}
	d.apt(ctx, append(d.aptArgs(), missing...))
}

func (d *Debian) aptArgs() []string {
	args := []string{"download", "-q", "-o", "APT::Architecture=" + d.Arch}
	if os.Geteuid() == 0 {
		// apt's unprivileged download user cannot write to the cache.
		args = append(args, "-o", "APT::Sandbox::User=root")
	}
	return args
}

// download asks apt for the package as the archive's architecture sees
// it: APT::Architecture set to Arch makes a bare name mean Arch's package,
// or the architecture-independent one.
func (d *Debian) download(ctx context.Context, name string) error {
	if d.Log != nil {
		d.Log("download %s", name)
	}
	out, err := d.apt(ctx, append(d.aptArgs(), name))
	if err != nil {
		return fmt.Errorf("%w: apt-get download %s (for %s): %w: %s", ErrPackage, name, d.Arch, err, bytes.TrimSpace(out))
	}
	return nil
}

func (d *Debian) apt(ctx context.Context, args []string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "apt-get", args...)
	cmd.Dir = d.Cache
	return cmd.CombinedOutput()
}

// parseDepends reads dpkg-deb -f's Depends-style fields: entries split by
// commas, alternatives by '|', versions in parentheses, architecture
// restrictions in brackets, qualifiers after ':'.
func parseDepends(fields string) [][]string {
	var out [][]string
	// dpkg-deb -f prints "Field: value" for several fields.
	for _, line := range strings.Split(fields, "\n") {
		if _, v, ok := strings.Cut(line, ": "); ok && !strings.HasPrefix(line, " ") {
			line = v
		}
		for _, entry := range strings.Split(line, ",") {
			var alts []string
			for _, a := range strings.Split(entry, "|") {
				a = strings.TrimSpace(a)
				if i := strings.IndexAny(a, " ([<"); i >= 0 {
					a = a[:i]
				}
				a, _, _ = strings.Cut(a, ":")
				if a != "" {
					alts = append(alts, a)
				}
			}
			if len(alts) > 0 {
				out = append(out, alts)
			}
		}
	}
	return out
}
