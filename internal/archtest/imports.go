package archtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"io"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// listed is the part of `go list -json` that the import rules read.
type listed struct {
	ImportPath string
	Dir        string
	Module     *struct {
		Path string
		Main bool
	}
	GoFiles      []string
	CgoFiles     []string
	TestGoFiles  []string
	XTestGoFiles []string
	// IgnoredGoFiles are excluded by build constraints.
	IgnoredGoFiles []string
	Imports        []string
	TestImports    []string
	XTestImports   []string
	Error          *struct{ Err string }

	module string // the main module's path
}

// goList runs `go list -json` on patterns in root and returns the packages
// of the main module.
func goList(root string, patterns []string) ([]*listed, error) {
	args := append([]string{"list", "-e", "-deps=false",
		"-json=ImportPath,Dir,Module,GoFiles,CgoFiles,TestGoFiles,XTestGoFiles,IgnoredGoFiles,Imports,TestImports,XTestImports,Error",
		"--"}, patterns...)
	cmd := exec.Command("go", args...)
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%w in %s: %w: %s", ErrGoList, root, err, strings.TrimSpace(stderr.String()))
	}
	var pkgs []*listed
	var errs []error
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		p := new(listed)
		if err := dec.Decode(p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, fmt.Errorf("%w: reading its output: %w", ErrGoList, err)
		}
		if p.Error != nil && len(p.GoFiles)+len(p.CgoFiles) == 0 && len(p.IgnoredGoFiles) > 0 {
			continue // not built for this platform: nothing to judge here
		}
		if p.Error != nil {
			errs = append(errs, fmt.Errorf("%s: %s", p.ImportPath, p.Error.Err))
			continue
		}
		if p.Module == nil || !p.Module.Main {
			continue
		}
		p.module = p.Module.Path
		pkgs = append(pkgs, p)
	}
	if err := broken(errs); err != nil {
		return nil, err
	}
	return pkgs, nil
}

// checkImports applies the import rules to pkgs: every package's own
// imports, and the test imports of libraries (program-import and
// tools-on-handset only).
func checkImports(root string, pkgs []*listed) ([]Violation, error) {
	g := graph{}
	for _, p := range pkgs {
		g[p.ImportPath] = p
	}
	var found []Violation
	var errs []error
	for _, p := range pkgs {
		from := where(p.module, p.ImportPath)
		if from.layer == other {
			continue
		}
		sets := []importSet{{slices.Concat(p.GoFiles, p.CgoFiles), p.Imports, false}}
		if from.layer == library {
			sets = append(sets,
				importSet{p.TestGoFiles, p.TestImports, true},
				importSet{p.XTestGoFiles, p.XTestImports, true})
		}
		for _, set := range sets {
			var lines map[string][]string
			for _, imp := range set.imports {
				for _, hit := range g.reach(p.module, imp) {
					rule, why := judge(from, where(p.module, hit.target))
					if rule == "" || set.test && rule == RuleCrossLibraryImport {
						continue
					}
					if lines == nil {
						var err error
						if lines, err = importLines(root, p.Dir, set.files); err != nil {
							errs = append(errs, fmt.Errorf("%s: %w", p.ImportPath, err))
							break
						}
					}
					msg := importMessage(p.module, imp, hit, why, set.test)
					at := lines[imp]
					if len(at) == 0 {
						rel, _ := filepath.Rel(root, p.Dir)
						at = []string{filepath.ToSlash(rel)}
					}
					for _, pos := range at {
						found = append(found, Violation{Pos: pos, Rule: rule, Message: msg, Test: set.test})
					}
				}
			}
		}
	}
	return found, broken(errs)
}

// importSet is a group of a package's files and the imports they make.
type importSet struct {
	files   []string
	imports []string
	test    bool // the files are _test.go files
}

func importMessage(module, imp string, hit reached, why string, test bool) string {
	var b strings.Builder
	if test {
		b.WriteString("test ")
	}
	fmt.Fprintf(&b, "imports %q", imp)
	if len(hit.via) > 0 {
		short := make([]string, 0, len(hit.via)+1)
		for _, v := range append(hit.via, hit.target) {
			short = append(short, strings.TrimPrefix(v, module+"/"))
		}
		fmt.Fprintf(&b, ", which brings in %q (%s)", hit.target, strings.Join(short, " → "))
	}
	b.WriteString(": ")
	b.WriteString(why)
	return b.String()
}

// graph is the listed packages by import path.
type graph map[string]*listed

// reached is a package an import brings in: the import itself (via
// empty), or a package behind it, via the ungoverned packages on the way.
type reached struct {
	target string
	via    []string
}

// reach returns what importing imp brings in that a rule may judge: imp
// itself, or, when imp is one of the module's packages that no rule
// governs (internal/), the first governed packages on every path through
// such packages. Paths through a governed package stop there: its own
// imports are judged where it makes them.
func (g graph) reach(module, imp string) []reached {
	if where(module, imp).layer != other {
		return []reached{{target: imp}}
	}
	var out []reached
	seen := map[string]bool{imp: true}
	queue := []reached{{target: imp}}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		p := g[cur.target]
		if p == nil {
			continue // outside the module, or not listed
		}
		via := append(slices.Clone(cur.via), cur.target)
		for _, next := range p.Imports {
			if seen[next] {
				continue
			}
			seen[next] = true
			if where(module, next).layer != other {
				out = append(out, reached{target: next, via: via})
			} else {
				queue = append(queue, reached{target: next, via: via})
			}
		}
	}
	return out
}

// importLines returns, for each import path in files (names in dir), the
// positions "file:line" of its import specs, the file relative to root.
func importLines(root, dir string, files []string) (map[string][]string, error) {
	fset := token.NewFileSet()
	lines := map[string][]string{}
	for _, name := range files {
		path := filepath.Join(dir, name)
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return nil, err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return nil, err
		}
		for _, spec := range f.Imports {
			imp, err := strconv.Unquote(spec.Path.Value)
			if err != nil {
				return nil, fmt.Errorf("%s: import %s: %w", fset.Position(spec.Pos()), spec.Path.Value, err)
			}
			pos := fmt.Sprintf("%s:%d", filepath.ToSlash(rel), fset.Position(spec.Pos()).Line)
			lines[imp] = append(lines[imp], pos)
		}
	}
	return lines, nil
}
