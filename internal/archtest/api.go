package archtest

import (
	"fmt"
	"go/token"
	"go/types"
	"path/filepath"
	"strings"

	"golang.org/x/tools/go/packages"
)

// checkAPI type-checks the library packages libs (import paths) of module
// in root and reports every exported identifier that mentions an internal
// type.
func checkAPI(root, module string, libs []string) ([]Violation, error) {
	if len(libs) == 0 {
		return nil, nil
	}
	cfg := &packages.Config{
		Mode: packages.NeedName | packages.NeedFiles | packages.NeedSyntax |
			packages.NeedTypes | packages.NeedTypesInfo,
		Dir:  root,
		Fset: token.NewFileSet(),
	}
	pkgs, err := packages.Load(cfg, libs...)
	if err != nil {
		return nil, fmt.Errorf("%w in %s: %w", ErrGoList, root, err)
	}
	var errs []error
	for _, p := range pkgs {
		errs = append(errs, packageErrors(p)...)
	}
	if err := broken(errs); err != nil {
		return nil, err
	}
	c := &apiChecker{
		root:     root,
		module:   module,
		fset:     cfg.Fset,
		seen:     map[*types.TypeName]bool{},
		reported: map[reportKey]bool{},
	}
	for _, p := range pkgs {
		c.pkg(p.Types)
	}
	return c.found, nil
}

// packageErrors returns the first errors of p: its parse and type errors
// when it has any (the go command's compile output repeats them), else
// what the go command said.
func packageErrors(p *packages.Package) []error {
	const most = 10
	var errs, list []error
	for _, e := range p.Errors {
		if e.Kind == packages.ListError || e.Kind == packages.UnknownError {
			list = append(list, e)
		} else {
			errs = append(errs, e)
		}
	}
	if len(errs) == 0 {
		errs = list
	}
	if len(errs) > most {
		errs = append(errs[:most:most], fmt.Errorf("%s: %d more errors", p.PkgPath, len(errs)-most))
	}
	return errs
}

// apiChecker walks the exported objects of library packages through the
// structure of their types, looking for named types of internal packages.
type apiChecker struct {
	root   string
	module string
	fset   *token.FileSet
	// seen holds the type declarations already walked. An unexported
	// type is walked once, from the first exported identifier that
	// reaches it.
	seen     map[*types.TypeName]bool
	reported map[reportKey]bool
	found    []Violation
}

type reportKey struct {
	pos token.Pos
	typ *types.TypeName
}

// site is where a mention is reported: the exported identifier, field or
// method, and how it is named in the message.
type site struct {
	pos  token.Pos
	what string // "exported func NewDevices", "field conn.Clock (reachable through ...)"
	// root is the exported identifier the walk started from.
	root string
	// via says where inside the identifier's type the mention is, e.g.
	// "parameter clk"; the first level that has a name sets it.
	via string
}

func (s site) within(via string) site {
	if s.via == "" {
		s.via = via
	}
	return s
}

func (c *apiChecker) pkg(p *types.Package) {
	scope := p.Scope()
	for _, name := range scope.Names() {
		obj := scope.Lookup(name)
		if !obj.Exported() {
			continue
		}
		switch obj := obj.(type) {
		case *types.Func:
			c.walk(obj.Type(), exported(obj.Pos(), "func "+name))
		case *types.Var:
			c.walk(obj.Type(), exported(obj.Pos(), "var "+name))
		case *types.Const:
			c.walk(obj.Type(), exported(obj.Pos(), "const "+name))
		case *types.TypeName:
			c.typeName(obj, "")
		}
	}
}

func exported(pos token.Pos, what string) site {
	return site{pos: pos, what: "exported " + what, root: what}
}

// typeName walks the declaration of a type: an alias's target, or a
// defined type's type parameters, structure and exported methods. root
// names the exported identifier that led to an unexported type, or is ""
// for an exported type.
func (c *apiChecker) typeName(obj *types.TypeName, root string) {
	if c.seen[obj] {
		return
	}
	c.seen[obj] = true
	name := obj.Name()
	// member returns the site of the type itself or one of its members.
	member := func(pos token.Pos, what string) site {
		if root == "" {
			return exported(pos, what)
		}
		return site{pos: pos, what: what + " (reachable through exported " + root + ")", root: root}
	}
	at := member(obj.Pos(), "type "+name)
	if obj.IsAlias() {
		if alias, ok := obj.Type().(*types.Alias); ok {
			c.typeParams(alias.TypeParams(), at)
		}
		c.walk(types.Unalias(obj.Type()), at.within("as an alias"))
		return
	}
	named, ok := obj.Type().(*types.Named)
	if !ok {
		return
	}
	c.typeParams(named.TypeParams(), at)
	switch u := named.Underlying().(type) {
	case *types.Struct:
		for i := range u.NumFields() {
			f := u.Field(i)
			if f.Exported() || f.Embedded() {
				c.walk(f.Type(), member(f.Pos(), "field "+name+"."+f.Name()))
			}
		}
	case *types.Interface:
		for i := range u.NumExplicitMethods() {
			m := u.ExplicitMethod(i)
			if m.Exported() {
				c.walk(m.Type(), member(m.Pos(), "method "+name+"."+m.Name()))
			}
		}
		for i := range u.NumEmbeddeds() {
			c.walk(u.EmbeddedType(i), at.within("embedded"))
		}
	default:
		c.walk(u, at)
	}
	for i := range named.NumMethods() {
		m := named.Method(i)
		if m.Exported() {
			c.walk(m.Type(), member(m.Pos(), "method "+name+"."+m.Name()))
		}
	}
}

func (c *apiChecker) typeParams(tps *types.TypeParamList, at site) {
	for i := range tps.Len() {
		tp := tps.At(i)
		c.walk(tp.Constraint(), at.within("type parameter "+tp.Obj().Name()))
	}
}

func (c *apiChecker) walk(t types.Type, at site) {
	switch t := t.(type) {
	case *types.Basic, *types.TypeParam, nil:
		// A type parameter's constraint is walked where it is declared.
	case *types.Alias:
		c.walk(types.Unalias(t), at)
	case *types.Pointer:
		c.walk(t.Elem(), at)
	case *types.Slice:
		c.walk(t.Elem(), at)
	case *types.Array:
		c.walk(t.Elem(), at)
	case *types.Chan:
		c.walk(t.Elem(), at)
	case *types.Map:
		c.walk(t.Key(), at)
		c.walk(t.Elem(), at)
	case *types.Signature:
		c.typeParams(t.TypeParams(), at)
		c.tuple(t.Params(), "parameter", at)
		c.tuple(t.Results(), "result", at)
	case *types.Struct:
		for i := range t.NumFields() {
			f := t.Field(i)
			if f.Exported() || f.Embedded() {
				c.walk(f.Type(), at.within("field "+f.Name()))
			}
		}
	case *types.Interface:
		for i := range t.NumExplicitMethods() {
			if m := t.ExplicitMethod(i); m.Exported() {
				c.walk(m.Type(), at.within("method "+m.Name()))
			}
		}
		for i := range t.NumEmbeddeds() {
			c.walk(t.EmbeddedType(i), at.within("embedded"))
		}
	case *types.Union:
		for i := range t.Len() {
			c.walk(t.Term(i).Type(), at)
		}
	case *types.Named:
		c.named(t, at)
	}
}

func (c *apiChecker) tuple(vars *types.Tuple, kind string, at site) {
	for i := range vars.Len() {
		v := vars.At(i)
		name := v.Name()
		if name == "" || name == "_" {
			name = fmt.Sprint(i + 1)
		}
		c.walk(v.Type(), at.within(kind+" "+name))
	}
}

// named judges a named type mentioned at at: an internal type is reported;
// its type arguments are walked; an unexported type of a library is walked
// through, since its exported fields and methods are reachable too.
func (c *apiChecker) named(t *types.Named, at site) {
	obj := t.Obj()
	pkg := obj.Pkg()
	if pkg == nil {
		return // error, comparable
	}
	if isInternal(pkg.Path()) {
		c.report(at, obj)
		return
	}
	args := t.TypeArgs()
	for i := range args.Len() {
		c.walk(args.At(i), at)
	}
	if !obj.Exported() && where(c.module, pkg.Path()).layer == library && !c.seen[t.Origin().Obj()] {
		c.typeName(t.Origin().Obj(), at.root)
	}
}

func (c *apiChecker) report(at site, typ *types.TypeName) {
	key := reportKey{at.pos, typ}
	if c.reported[key] {
		return
	}
	c.reported[key] = true
	pos := c.fset.Position(at.pos)
	file := pos.Filename
	if rel, err := filepath.Rel(c.root, file); err == nil {
		file = filepath.ToSlash(rel)
	}
	name := strings.TrimPrefix(typ.Pkg().Path(), c.module+"/") + "." + typ.Name()
	via := ""
	if at.via != "" {
		via = " (" + at.via + ")"
	}
	c.found = append(c.found, Violation{
		Pos:  fmt.Sprintf("%s:%d", file, pos.Line),
		Rule: RuleInternalInAPI,
		Message: fmt.Sprintf("%s mentions internal type %s%s: a third party can neither name nor fake it; "+
			"use a type of a public package (or declare a small exported interface)", at.what, name, via),
	})
}
