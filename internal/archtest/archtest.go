package archtest

import (
	"cmp"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
)

// Rule names one of the house rules.
type Rule string

// The rules Check enforces; doc.go says why each exists.
const (
	// RuleProgramImport: a library imports a program (firmware/, tools/).
	RuleProgramImport Rule = "program-import"
	// RuleCrossLibraryImport: one of iax, drivers and telephony imports
	// another of them.
	RuleCrossLibraryImport Rule = "cross-library-import"
	// RuleToolsOnHandset: firmware/ imports tools/.
	RuleToolsOnHandset Rule = "tools-on-handset"
	// RuleInternalInAPI: an exported identifier of a library mentions an
	// internal/ type.
	RuleInternalInAPI Rule = "internal-in-api"
)

// Violation is one break of a rule, at one place in the source.
type Violation struct {
	// Pos is "file:line", the file relative to the directory given to
	// Check and slash-separated. For imports it is the import statement;
	// for internal-in-api the exported identifier, field or method.
	Pos  string
	Rule Rule
	// Message names the offending import path or identifier and the
	// internal type it mentions, and says what to do instead.
	Message string
	// Test reports that the import is in a _test.go file.
	Test bool
}

func (v Violation) String() string {
	return fmt.Sprintf("%s: %s: %s", v.Pos, v.Rule, v.Message)
}

// Check enforces the house rules on the packages that patterns (default
// "./...") match in the module at dir, and returns every violation, sorted
// by position. It runs the go command found on PATH. Packages outside the
// main module are not judged. An error means the packages could not be
// listed or type-checked; the violations are then not known. Imports of
// the module's internal/ are followed only through the packages patterns
// match, so "./..." is the pattern that sees every path.
func Check(dir string, patterns ...string) ([]Violation, error) {
	if len(patterns) == 0 {
		patterns = []string{"./..."}
	}
	root, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("archtest: %w", err)
	}
	pkgs, err := goList(root, patterns)
	if err != nil {
		return nil, err
	}
	found, err := checkImports(root, pkgs)
	if err != nil {
		return nil, err
	}
	if len(pkgs) == 0 {
		return found, nil
	}
	module := pkgs[0].module
	var libs []string
	for _, p := range pkgs {
		if w := where(p.module, p.ImportPath); w.layer == library && !w.internal {
			libs = append(libs, p.ImportPath)
		}
	}
	api, err := checkAPI(root, module, libs)
	if err != nil {
		return nil, err
	}
	found = append(found, api...)
	sortViolations(found)
	return slices.Compact(found), nil
}

// sortViolations orders by file, then line (numerically), rule and message.
func sortViolations(vs []Violation) {
	slices.SortFunc(vs, func(a, b Violation) int {
		af, al := splitPos(a.Pos)
		bf, bl := splitPos(b.Pos)
		return cmp.Or(
			strings.Compare(af, bf),
			cmp.Compare(al, bl),
			strings.Compare(string(a.Rule), string(b.Rule)),
			strings.Compare(a.Message, b.Message),
		)
	})
}

func splitPos(pos string) (file string, line int) {
	i := strings.LastIndexByte(pos, ':')
	if i < 0 {
		return pos, 0
	}
	if _, err := fmt.Sscanf(pos[i+1:], "%d", &line); err != nil {
		return pos, 0
	}
	return pos[:i], line
}

// layer is a package's floor in the house.
type layer int

const (
	// other: no rule governs it (the module's internal/, its root).
	other layer = iota
	library
	program
)

// place is where a package sits in the house.
type place struct {
	layer layer
	// top is the first element of the path inside the module: "iax",
	// "firmware", "internal", ...
	top string
	// rel is the path inside the module ("telephony/media").
	rel string
	// internal: the path has an "internal" element, so only its parent
	// tree can import it and no third party can name its types.
	internal bool
}

// where places the package path in the house of module. A path outside
// the module is other.
func where(module, path string) place {
	rel, ok := strings.CutPrefix(path, module+"/")
	if !ok {
		return place{}
	}
	top, _, _ := strings.Cut(rel, "/")
	p := place{top: top, rel: rel, internal: isInternal(rel)}
	switch top {
	case "board", "drivers", "iax", "telephony":
		p.layer = library
	case "firmware", "tools":
		p.layer = program
	}
	return p
}

// isInternal reports whether path has an "internal" element.
func isInternal(path string) bool {
	return slices.Contains(strings.Split(path, "/"), "internal")
}

// within reports whether rel is dir or inside it.
func within(rel, dir string) bool {
	return rel == dir || strings.HasPrefix(rel, dir+"/")
}

// apart is the set of libraries that never import each other.
var apart = map[string]bool{"iax": true, "drivers": true, "telephony": true}

// judge returns the rule an import from a package at from of a package at
// to breaks, and what is wrong in words, or "" if it breaks none.
func judge(from, to place) (Rule, string) {
	switch {
	case from.layer == library && to.layer == program:
		return RuleProgramImport, fmt.Sprintf(
			"a library (%s) never imports a program (firmware/, tools/); "+
				"move what both need into a library, or into internal/ if only programs and tests share it", from.top)
	case from.layer == library && apart[from.top] && apart[to.top] && from.top != to.top &&
		!(within(from.rel, "drivers/audio") && to.rel == "telephony/media"):
		return RuleCrossLibraryImport, fmt.Sprintf(
			"%s never imports %s (iax, drivers and telephony stay apart; only drivers/audio may use telephony/media); "+
				"join them in a program, or move the shared part into the library that owns it", from.top, to.top)
	case from.top == "firmware" && to.top == "tools":
		return RuleToolsOnHandset, "firmware runs on the handset and never imports a host tool (tools/); " +
			"move what both need into a library or internal/"
	}
	return "", ""
}
