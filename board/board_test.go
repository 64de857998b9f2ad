package board

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

func TestLookup(t *testing.T) {
	for _, tc := range []struct {
		compat []string
		want   string
		err    error
	}{
		{[]string{"linux,dummy-virt"}, "qemu-virt", nil},
		{[]string{"acme,phone-9", "linux,dummy-virt"}, "qemu-virt", nil},
		{[]string{"pine64,pinephone-1.2", "pine64,pinephone", "allwinner,sun50i-a64"}, "pinephone-1.2", nil},
		{[]string{"acme,unknown"}, "", ErrUnknownBoard},
		{nil, "", ErrUnknownBoard},
	} {
		b, err := Lookup(tc.compat)
		if !errors.Is(err, tc.err) || b.Name != tc.want {
			t.Errorf("Lookup(%q) = %q, %v; want %q, %v", tc.compat, b.Name, err, tc.want, tc.err)
		}
	}
}

func TestReadCompatible(t *testing.T) {
	root := t.TempDir()
	if _, err := ReadCompatible(root); !errors.Is(err, ErrNoDeviceTree) {
		t.Fatalf("ReadCompatible(no tree) err = %v, want ErrNoDeviceTree", err)
	}
	dir := filepath.Join(root, "proc/device-tree")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "compatible"), []byte("pine64,pinephone\x00allwinner,sun50i-a64\x00"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := ReadCompatible(root)
	if err != nil || strings.Join(got, "|") != "pine64,pinephone|allwinner,sun50i-a64" {
		t.Fatalf("ReadCompatible = %q, %v", got, err)
	}
}

type fakeLoader struct {
	mu    sync.Mutex
	calls []string
	fail  map[string]error
}

func (f *fakeLoader) Probe(name, params string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, strings.TrimSpace(name+" "+params))
	return f.fail[name]
}

func TestLoadModulesReportsEveryStep(t *testing.T) {
	b := Board{Name: "t", Modules: []Module{
		{Name: "a"},
		{Name: "b", Params: "x=1"},
		{Name: "c", Optional: true},
		{Name: "d"},
	}}
	l := &fakeLoader{fail: map[string]error{
		"c": fmt.Errorf("%w: c", ErrModuleMissing),
		"d": errors.New("exec format error"),
	}}
	r := LoadModules(b, l)
	slices.Sort(l.calls) // loaded concurrently; the report keeps the board's order
	if got, want := strings.Join(l.calls, ","), "a,b x=1,c,d"; got != want {
		t.Errorf("probe calls = %q, want %q", got, want)
	}
	want := []Outcome{Loaded, Loaded, Skipped, Failed}
	for i, s := range r.Steps {
		if s.Outcome != want[i] {
			t.Errorf("step %d (%s) = %v, want %v", i, s.What, s.Outcome, want[i])
		}
	}
	if !r.Failed() {
		t.Error("Failed() = false with a failed module")
	}
	out := r.String()
	for _, w := range []string{"board t:", "loaded   module b x=1", "skipped  module c: board: module not in image: c", "FAILED   module d: exec format error"} {
		if !strings.Contains(out, w) {
			t.Errorf("report lacks %q:\n%s", w, out)
		}
	}
}
