package resolve

import (
	"context"
	"debug/elf"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// Package is a package unpacked on disk.
type Package struct {
	Name string
	// Dir holds the package's files, as dpkg-deb -x leaves them.
	Dir string
	// Depends lists the package's Depends and Pre-Depends, each entry
	// its alternatives, without versions or architecture qualifiers.
	Depends [][]string
}

// Archive fetches and unpacks packages by name.
type Archive interface {
	Unpack(ctx context.Context, name string) (*Package, error)
}

// Prefetcher is an Archive that can fetch several packages at once
// (one apt-get call rather than one per package). Prefetch is a hint:
// a package it could not fetch fails later, in Unpack.
type Prefetcher interface {
	Prefetch(ctx context.Context, names []string)
}

// File is one file the image takes.
type File struct {
	Path    string // in the image, absolute
	Package string
	// Source is the file on disk (in the package's directory).
	Source string
	// Link is a symbolic link's target as the package has it; empty for
	// a regular file.
	Link string
	// Why says why it is taken: "listed (line N)", "needed by /usr/bin/x",
	// "target of /lib/x".
	Why  string
	Size int64 // regular files only
}

// Config says which machine the ELF files must be for and where its
// loader looks.
type Config struct {
	Archive Archive
	// Machine is the ELF machine every ELF file must be for
	// (elf.EM_AARCH64 for arm64).
	Machine elf.Machine
	// Triplet is the multiarch directory name, e.g. "aarch64-linux-gnu":
	// the loader's default directories are /lib/<triplet>,
	// /usr/lib/<triplet>, /lib and /usr/lib.
	Triplet string
	// Log, if set, hears each package fetched and each candidate tried.
	Log func(format string, args ...any)
}

// Resolve returns the files wants name and everything their ELF files
// need, sorted by path.
func Resolve(ctx context.Context, cfg Config, wants []Want) ([]File, error) {
	r := &resolver{cfg: cfg, files: map[string]*File{}, pkgs: map[string]*Package{}}
	if r.cfg.Log == nil {
		r.cfg.Log = func(string, ...any) {}
	}
	if pf, ok := r.cfg.Archive.(Prefetcher); ok {
		var listed []string
		for _, w := range wants {
			if !slices.Contains(listed, w.Package) {
				listed = append(listed, w.Package)
			}
		}
		pf.Prefetch(ctx, listed)
	}
	for _, w := range wants {
		p, err := r.unpack(ctx, w.Package)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", w.Line, err)
		}
		matches, err := filepath.Glob(filepath.Join(p.Dir, filepath.FromSlash(w.Pattern)))
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", w.Line, err)
		}
		if len(matches) == 0 {
			return nil, fmt.Errorf("line %d: %s in package %s: %w (list its files with dpkg-deb -c)", w.Line, w.Pattern, w.Package, ErrNoMatch)
		}
		for _, m := range matches {
			rel, _ := filepath.Rel(p.Dir, m)
			if err := r.add(ctx, p, "/"+filepath.ToSlash(rel), fmt.Sprintf("listed (line %d)", w.Line)); err != nil {
				return nil, err
			}
		}
	}
	out := make([]File, 0, len(r.files))
	for _, f := range r.files {
		out = append(out, *f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

type resolver struct {
	cfg   Config
	files map[string]*File
	pkgs  map[string]*Package
	order []*Package // unpacked, in the order they came: the lookup order
}

func (r *resolver) unpack(ctx context.Context, name string) (*Package, error) {
	if p, ok := r.pkgs[name]; ok {
		return p, nil
	}
	p, err := r.cfg.Archive.Unpack(ctx, name)
	if err != nil {
		return nil, err
	}
	r.cfg.Log("package %s", name)
	r.pkgs[name] = p
	r.order = append(r.order, p)
	return p, nil
}

// add takes the file at path (in the image) from package p, and what it
// needs.
func (r *resolver) add(ctx context.Context, p *Package, file, why string) error {
	if _, ok := r.files[file]; ok {
		return nil
	}
	src := filepath.Join(p.Dir, filepath.FromSlash(file))
	fi, err := os.Lstat(src)
	if err != nil {
		return fmt.Errorf("%s in package %s: %w", file, p.Name, err)
	}
	f := &File{Path: file, Package: p.Name, Source: src, Why: why}
	r.files[file] = f
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		if f.Link, err = os.Readlink(src); err != nil {
			return err
		}
		target := f.Link
		if !path.IsAbs(target) {
			target = path.Join(path.Dir(file), target)
		}
		tp, ok := r.lookup(target)
		if !ok {
			return fmt.Errorf("%s in package %s links to %s, which no package fetched holds: %w", file, p.Name, f.Link, ErrMissing)
		}
		return r.add(ctx, tp, target, "target of "+file)
	case fi.Mode().IsRegular():
		f.Size = fi.Size()
		return r.addNeeds(ctx, p, f)
	case fi.IsDir():
		return fmt.Errorf("%s in package %s is a directory: list the files in it (a glob such as %s/*)", file, p.Name, file)
	}
	return fmt.Errorf("%s in package %s is neither a file nor a link (%v)", file, p.Name, fi.Mode().Type())
}

// addNeeds takes the loader and the libraries an ELF file needs; other
// files need nothing.
func (r *resolver) addNeeds(ctx context.Context, p *Package, f *File) error {
	e, err := elf.Open(f.Source)
	if err != nil {
		var fe *elf.FormatError
		if errors.As(err, &fe) {
			return nil // not ELF: a data file
		}
		return fmt.Errorf("%s in package %s: %w", f.Path, p.Name, err)
	}
	defer e.Close()
	if e.Machine != r.cfg.Machine {
		return fmt.Errorf("%w: %s in package %s is for %v, want %v: was the package fetched for another architecture?", ErrELF, f.Path, p.Name, e.Machine, r.cfg.Machine)
	}
	for _, prog := range e.Progs {
		if prog.Type != elf.PT_INTERP {
			continue
		}
		b := make([]byte, prog.Filesz)
		if _, err := prog.ReadAt(b, 0); err != nil {
			return fmt.Errorf("%s in package %s: its loader's name: %w", f.Path, p.Name, err)
		}
		interp := strings.TrimRight(string(b), "\x00")
		if err := r.need(ctx, p, f, interp, nil); err != nil {
			return err
		}
	}
	needed, err := e.DynString(elf.DT_NEEDED)
	if err != nil {
		return fmt.Errorf("%s in package %s: %w", f.Path, p.Name, err)
	}
	runpath, _ := e.DynString(elf.DT_RUNPATH)
	if len(runpath) == 0 { // DT_RPATH counts only without DT_RUNPATH
		runpath, _ = e.DynString(elf.DT_RPATH)
	}
	var dirs []string
	for _, rp := range runpath {
		for _, d := range strings.Split(rp, ":") {
			if d == "" {
				continue
			}
			d = strings.ReplaceAll(strings.ReplaceAll(d, "${ORIGIN}", "$ORIGIN"), "$ORIGIN", path.Dir(f.Path))
			dirs = append(dirs, path.Clean(d))
		}
	}
	t := r.cfg.Triplet
	dirs = append(dirs, "/lib/"+t, "/usr/lib/"+t, "/lib", "/usr/lib")
	for _, soname := range needed {
		if err := r.need(ctx, p, f, soname, dirs); err != nil {
			return err
		}
	}
	return nil
}

// need takes a library f needs: an absolute path (the loader), or a name
// looked up in dirs.
func (r *resolver) need(ctx context.Context, p *Package, f *File, name string, dirs []string) error {
	paths := []string{name}
	if !path.IsAbs(name) {
		paths = paths[:0]
		for _, d := range dirs {
			paths = append(paths, path.Join(d, name))
		}
	}
	why := "needed by " + f.Path
	find := func() error {
		for _, c := range paths {
			if hp, ok := r.lookup(c); ok {
				return r.add(ctx, hp, c, why)
			}
		}
		return errNotYet
	}
	if err := find(); !errors.Is(err, errNotYet) {
		return err
	}
	// Not in any package so far: look among p's dependencies, the most
	// similar names first, and keep the package that holds it.
	cands := r.candidates(p, name)
	if pf, ok := r.cfg.Archive.(Prefetcher); ok && len(cands) > 0 {
		pf.Prefetch(ctx, cands)
	}
	for _, c := range cands {
		if _, err := r.unpack(ctx, c); err != nil {
			r.cfg.Log("  %s: skipping candidate %s: %v", name, c, err)
			continue
		}
		r.cfg.Log("  %s (needed by %s): tried %s", name, f.Path, c)
		if err := find(); !errors.Is(err, errNotYet) {
			return err
		}
	}
	return fmt.Errorf("%w: %s, needed by %s (package %s), is in no package fetched nor in %s's dependencies (tried %s); looked in %s",
		ErrMissing, name, f.Path, p.Name, p.Name, strings.Join(cands, ", "), strings.Join(paths, ", "))
}

var errNotYet = errors.New("not found yet")

// lookup finds a path in the packages unpacked so far, in the order they
// came.
func (r *resolver) lookup(file string) (*Package, bool) {
	for _, p := range r.order {
		if _, err := os.Lstat(filepath.Join(p.Dir, filepath.FromSlash(file))); err == nil {
			return p, true
		}
	}
	return nil, false
}

// candidates lists p's dependencies not unpacked yet, those whose names
// share the longest start with the library's name first (libasound.so.2
// → libasound2; libpulsecommon-16.1.so → libpulse0), in their order
// otherwise.
func (r *resolver) candidates(p *Package, lib string) []string {
	stem := strings.ToLower(path.Base(lib))
	if i := strings.Index(stem, ".so"); i >= 0 {
		stem = stem[:i]
	}
	var names []string
	for _, alts := range p.Depends {
		for _, a := range alts {
			if _, done := r.pkgs[a]; !done && !slices.Contains(names, a) {
				names = append(names, a)
			}
		}
	}
	score := func(n string) int {
		k := 0
		for k < len(n) && k < len(stem) && n[k] == stem[k] { // package names are lower case
			k++
		}
		return k
	}
	sort.SliceStable(names, func(i, j int) bool { return score(names[i]) > score(names[j]) })
	return names
}

// Copy writes files below dir (which must not exist yet, or be empty):
// regular files with their modes, links as links.
func Copy(files []File, dir string) error {
	for _, f := range files {
		dst := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if f.Link != "" {
			if err := os.Symlink(f.Link, dst); err != nil {
				return err
			}
			continue
		}
		if err := copyFile(f.Source, dst); err != nil {
			return err
		}
	}
	return nil
}

func copyFile(src, dst string) error {
	fi, err := os.Stat(src)
	if err != nil {
		return err
	}
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, b, fi.Mode().Perm())
}
