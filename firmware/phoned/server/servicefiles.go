package server

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/ini.v1"
)

// ServicesDir is where service files live below the config directory.
const ServicesDir = "services/Telephony"

// serviceFile is one <config>/services/Telephony/<program> file.
type serviceFile struct {
	Program string
	Path    string // the file
	Exec    string // the resolved executable; "" when Err is set
	Err     error  // why the program cannot be started
}

// readServiceFiles lists the service files in dir, sorted by program. A
// missing directory holds none. Each file's program is resolved: an
// absolute [Standard] Exec wins, otherwise the program name is looked up on
// PATH (lookPath).
func readServiceFiles(dir string, lookPath func(string) (string, error)) ([]serviceFile, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	var out []serviceFile
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || strings.HasPrefix(name, ".") || strings.HasSuffix(name, "~") {
			continue
		}
		sf := serviceFile{Program: name, Path: filepath.Join(dir, name)}
		sf.Exec, sf.Err = resolveServiceFile(sf.Path, name, lookPath)
		out = append(out, sf)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Program < out[j].Program })
	return out, nil
}

func resolveServiceFile(path, program string, lookPath func(string) (string, error)) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrServiceFile, err)
	}
	f, err := ini.LoadSources(ini.LoadOptions{IgnoreInlineComment: true, AllowBooleanKeys: true}, b)
	if err != nil {
		return "", fmt.Errorf("%w: %s: %w", ErrServiceFile, path, err)
	}
	if e := strings.TrimSpace(f.Section("Standard").Key("Exec").String()); e != "" {
		if !filepath.IsAbs(e) {
			return "", fmt.Errorf("%w: %s: Exec %q is not an absolute path", ErrServiceFile, path, e)
		}
		return e, nil
	}
	p, err := lookPath(program)
	if err != nil {
		return "", fmt.Errorf("%w: program %q not found on PATH (or set [Standard] Exec): %w", ErrServiceFile, program, err)
	}
	return p, nil
}

// lookPath is exec.LookPath, the default resolver.
func lookPath(name string) (string, error) { return exec.LookPath(name) }
