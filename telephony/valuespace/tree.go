package valuespace

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
)

// Owner identifies who published an entry. The bus gives each connection its
// own Owner; 0 is a valid owner too (the hosting process itself).
type Owner uint64

// Op is one change requested in Apply: set Path to Value, or remove Path and
// everything below it.
type Op struct {
	Path   string
	Value  Value
	Remove bool
}

// SetOp and RemoveOp build Ops.
func SetOp(path string, v Value) Op { return Op{Path: path, Value: v} }

// RemoveOp removes path and its subtree.
func RemoveOp(path string) Op { return Op{Path: path, Remove: true} }

// Change is one effect of an Apply as a subscriber sees it.
type Change struct {
	Path    string
	Value   Value // the new value; invalid when Removed
	Removed bool
}

func (c Change) String() string {
	if c.Removed {
		return c.Path + " removed"
	}
	return c.Path + " = " + c.Value.String()
}

// Batch is what one Apply changed below a subscription's prefix. Seq grows by
// one for every Apply that changed anything in the tree, so a subscriber can
// tell the order of batches from different subscriptions. The first batch a
// subscriber gets is the current content of its subtree, with Initial set.
type Batch struct {
	Seq     uint64
	Initial bool
	Changes []Change
}

// Entry is a stored value with its owner.
type Entry struct {
	Path  string
	Value Value
	Owner Owner
}

// Sink receives batches. It is called with the tree locked, in order, and
// must neither block nor call back into the tree; the bus server's sink puts
// the batch on a connection's bounded queue.
type Sink func(Batch)

type node struct {
	children map[string]*node
	val      Value
	owner    Owner
	has      bool
}

type subscription struct {
	id     uint64
	prefix string
	sink   Sink
}

// Tree is a value space. The zero Tree is not usable; call New. A Tree is
// safe for concurrent use.
type Tree struct {
	mu      sync.Mutex
	root    node
	owned   map[Owner]map[string]struct{}
	subs    []subscription
	nextSub uint64
	seq     uint64
}

// New returns an empty tree.
func New() *Tree {
	return &Tree{owned: make(map[Owner]map[string]struct{})}
}

// Set stores v at path on behalf of owner. The last writer owns the entry.
func (t *Tree) Set(owner Owner, path string, v Value) error {
	return t.Apply(owner, SetOp(path, v))
}

// Remove deletes the value at path and every value below it, whoever owns
// them. Removing a path that holds nothing is not an error.
func (t *Tree) Remove(owner Owner, path string) error {
	return t.Apply(owner, RemoveOp(path))
}

// Apply performs ops in order as one atomic step: all are checked first and
// none is applied if any is invalid; subscribers see their part of the result
// as a single Batch.
func (t *Tree) Apply(owner Owner, ops ...Op) error {
	clean := make([]Op, len(ops))
	for i, op := range ops {
		p, err := Clean(op.Path)
		if err != nil {
			return err
		}
		if !op.Remove {
			if p == "/" {
				return ErrRootValue
			}
			if !op.Value.Valid() {
				return fmt.Errorf("%w: at %s", ErrBadValue, p)
			}
		}
		op.Path = p
		clean[i] = op
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	var changes []Change
	for _, op := range clean {
		if op.Remove {
			changes = t.removeLocked(op.Path, changes)
		} else {
			changes = t.setLocked(owner, op.Path, op.Value, changes)
		}
	}
	t.publishLocked(changes)
	return nil
}

// RemoveOwner deletes every entry owner published, as one batch. The bus
// calls it when a connection ends.
func (t *Tree) RemoveOwner(owner Owner) {
	t.mu.Lock()
	defer t.mu.Unlock()
	paths := make([]string, 0, len(t.owned[owner]))
	for p := range t.owned[owner] {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var changes []Change
	for _, p := range paths {
		changes = t.removeOneLocked(p, changes)
	}
	delete(t.owned, owner)
	t.publishLocked(changes)
}

// Get returns the value at path.
func (t *Tree) Get(path string) (Value, bool) {
	p, err := Clean(path)
	if err != nil {
		return Value{}, false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	n := t.findLocked(p)
	if n == nil || !n.has {
		return Value{}, false
	}
	return n.val, true
}

// Lookup returns the entry at path, with its owner.
func (t *Tree) Lookup(path string) (Entry, bool) {
	p, err := Clean(path)
	if err != nil {
		return Entry{}, false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	n := t.findLocked(p)
	if n == nil || !n.has {
		return Entry{}, false
	}
	return Entry{Path: p, Value: n.val, Owner: n.owner}, true
}

// Children returns the sorted names directly below path (each holds a
// value, children, or both).
func (t *Tree) Children(path string) ([]string, error) {
	p, err := Clean(path)
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	n := t.findLocked(p)
	if n == nil {
		return nil, nil
	}
	names := make([]string, 0, len(n.children))
	for name := range n.children {
		names = append(names, name)
	}
	sort.Strings(names)
	return names, nil
}

// Snapshot returns every entry at or below prefix, sorted by path.
func (t *Tree) Snapshot(prefix string) ([]Entry, error) {
	p, err := Clean(prefix)
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.snapshotLocked(p), nil
}

// Subscribe registers sink for changes at or below prefix. Before Subscribe
// returns, sink receives the current content of the subtree as one Initial
// batch (possibly empty). The returned function cancels the subscription;
// after it returns, sink is not called again.
func (t *Tree) Subscribe(prefix string, sink Sink) (cancel func(), err error) {
	p, err := Clean(prefix)
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.nextSub++
	id := t.nextSub
	t.subs = append(t.subs, subscription{id: id, prefix: p, sink: sink})
	entries := t.snapshotLocked(p)
	init := Batch{Seq: t.seq, Initial: true, Changes: make([]Change, len(entries))}
	for i, e := range entries {
		init.Changes[i] = Change{Path: e.Path, Value: e.Value}
	}
	sink(init)
	return func() {
		t.mu.Lock()
		defer t.mu.Unlock()
		t.subs = slices.DeleteFunc(t.subs, func(s subscription) bool { return s.id == id })
	}, nil
}

func (t *Tree) findLocked(p string) *node {
	n := &t.root
	for _, s := range segments(p) {
		n = n.children[s]
		if n == nil {
			return nil
		}
	}
	return n
}

func (t *Tree) setLocked(owner Owner, p string, v Value, changes []Change) []Change {
	n := &t.root
	for _, s := range segments(p) {
		c := n.children[s]
		if c == nil {
			if n.children == nil {
				n.children = make(map[string]*node)
			}
			c = &node{}
			n.children[s] = c
		}
		n = c
	}
	same := n.has && n.val.Equal(v)
	if n.has && n.owner != owner {
		delete(t.owned[n.owner], p)
	}
	n.val, n.owner, n.has = v, owner, true
	o := t.owned[owner]
	if o == nil {
		o = make(map[string]struct{})
		t.owned[owner] = o
	}
	o[p] = struct{}{}
	if same {
		return changes
	}
	return append(changes, Change{Path: p, Value: v})
}

// removeLocked removes p and its subtree.
func (t *Tree) removeLocked(p string, changes []Change) []Change {
	n := t.findLocked(p)
	if n == nil {
		return changes
	}
	var walk func(path string, n *node)
	walk = func(path string, n *node) {
		if n.has {
			delete(t.owned[n.owner], path)
			changes = append(changes, Change{Path: path, Removed: true})
		}
		names := make([]string, 0, len(n.children))
		for name := range n.children {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			walk(Join(path, name), n.children[name])
		}
	}
	walk(p, n)
	if p == "/" {
		t.root = node{}
		return changes
	}
	n.children = nil
	n.has, n.val = false, Value{}
	t.pruneLocked(p)
	return changes
}

// removeOneLocked removes the value at p only, keeping its children.
func (t *Tree) removeOneLocked(p string, changes []Change) []Change {
	n := t.findLocked(p)
	if n == nil || !n.has {
		return changes
	}
	n.has, n.val = false, Value{}
	t.pruneLocked(p)
	return append(changes, Change{Path: p, Removed: true})
}

// pruneLocked deletes empty nodes from p upwards.
func (t *Tree) pruneLocked(p string) {
	segs := segments(p)
	for len(segs) > 0 {
		parent := &t.root
		for _, s := range segs[:len(segs)-1] {
			parent = parent.children[s]
		}
		last := segs[len(segs)-1]
		c := parent.children[last]
		if c == nil || c.has || len(c.children) > 0 {
			return
		}
		delete(parent.children, last)
		segs = segs[:len(segs)-1]
	}
}

func (t *Tree) snapshotLocked(p string) []Entry {
	n := t.findLocked(p)
	if n == nil {
		return nil
	}
	var out []Entry
	var walk func(path string, n *node)
	walk = func(path string, n *node) {
		if n.has {
			out = append(out, Entry{Path: path, Value: n.val, Owner: n.owner})
		}
		for name, c := range n.children {
			walk(Join(path, name), c)
		}
	}
	walk(p, n)
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

func (t *Tree) publishLocked(changes []Change) {
	if len(changes) == 0 {
		return
	}
	t.seq++
	for _, s := range t.subs {
		var mine []Change
		for _, c := range changes {
			if Under(c.Path, s.prefix) {
				mine = append(mine, c)
			}
		}
		if len(mine) > 0 {
			s.sink(Batch{Seq: t.seq, Changes: mine})
		}
	}
}

// Dump formats entries one per line, "path = value", for consoles and tests.
func Dump(entries []Entry) string {
	var b strings.Builder
	for _, e := range entries {
		b.WriteString(e.Path)
		b.WriteString(" = ")
		b.WriteString(e.Value.String())
		b.WriteByte('\n')
	}
	return b.String()
}
