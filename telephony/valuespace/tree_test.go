package valuespace

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

type recorder struct{ batches []Batch }

func (r *recorder) sink(b Batch) { r.batches = append(r.batches, b) }

func (r *recorder) lines() []string {
	var out []string
	for _, b := range r.batches {
		s := fmt.Sprintf("#%d", b.Seq)
		if b.Initial {
			s += " initial"
		}
		for _, c := range b.Changes {
			s += " " + c.String()
		}
		out = append(out, s)
	}
	return out
}

func TestSetGetTypes(t *testing.T) {
	tr := New()
	cases := []struct {
		path string
		v    Value
	}{
		{"/a/s", String("home")},
		{"/a/i", Int(-42)},
		{"/a/b", Bool(true)},
		{"/a/l", Strings("Asterisk", "Voice")},
	}
	for _, c := range cases {
		if err := tr.Set(1, c.path, c.v); err != nil {
			t.Fatalf("Set(%s) = %v", c.path, err)
		}
	}
	for _, c := range cases {
		got, ok := tr.Get(c.path)
		if !ok || !got.Equal(c.v) {
			t.Errorf("Get(%s) = %v, %v, want %v", c.path, got, ok, c.v)
		}
	}
	if s, ok := mustGet(t, tr, "/a/s").Str(); !ok || s != "home" {
		t.Errorf("Str = %q %v, want home true", s, ok)
	}
	if i, ok := mustGet(t, tr, "/a/i").Int(); !ok || i != -42 {
		t.Errorf("Int = %d %v, want -42 true", i, ok)
	}
	if b, ok := mustGet(t, tr, "/a/b").Bool(); !ok || !b {
		t.Errorf("Bool = %v %v, want true true", b, ok)
	}
	if l, ok := mustGet(t, tr, "/a/l").List(); !ok || !slices.Equal(l, []string{"Asterisk", "Voice"}) {
		t.Errorf("List = %q %v", l, ok)
	}
	if _, ok := mustGet(t, tr, "/a/l").Str(); ok {
		t.Errorf("Str on a list reported ok")
	}
	got, _ := tr.Children("/a")
	if want := []string{"b", "i", "l", "s"}; !slices.Equal(got, want) {
		t.Errorf("Children(/a) = %q, want %q", got, want)
	}
	got, _ = tr.Children("/")
	if want := []string{"a"}; !slices.Equal(got, want) {
		t.Errorf("Children(/) = %q, want %q", got, want)
	}
}

func mustGet(t *testing.T, tr *Tree, p string) Value {
	t.Helper()
	v, ok := tr.Get(p)
	if !ok {
		t.Fatalf("Get(%s) missing", p)
	}
	return v
}

func TestBadInput(t *testing.T) {
	tr := New()
	for _, p := range []string{"", "a/b", "/a//b", "/a\x00b", "/" + string(make([]byte, MaxPathLen))} {
		if err := tr.Set(1, p, Int(1)); !errors.Is(err, ErrBadPath) {
			t.Errorf("Set(%q) = %v, want ErrBadPath", p, err)
		}
	}
	if err := tr.Set(1, "/", Int(1)); !errors.Is(err, ErrRootValue) {
		t.Errorf("Set(/) = %v, want ErrRootValue", err)
	}
	if err := tr.Set(1, "/x", Value{}); !errors.Is(err, ErrBadValue) {
		t.Errorf("Set(invalid) = %v, want ErrBadValue", err)
	}
	// Atomic: a bad op in the middle means nothing is applied.
	err := tr.Apply(1, SetOp("/ok", Int(1)), SetOp("bad", Int(2)))
	if !errors.Is(err, ErrBadPath) {
		t.Fatalf("Apply = %v, want ErrBadPath", err)
	}
	if _, ok := tr.Get("/ok"); ok {
		t.Errorf("/ok stored although Apply failed")
	}
}

func TestSubscribeOrderAndBatches(t *testing.T) {
	tr := New()
	tr.Set(1, "/c/x", Int(0))
	var r recorder
	cancel, err := tr.Subscribe("/c", r.sink)
	if err != nil {
		t.Fatal(err)
	}
	tr.Set(1, "/c/x", Int(1))
	tr.Set(1, "/other", Int(1)) // not below /c
	tr.Set(1, "/cx", Int(1))    // prefix of the name, not of the path
	tr.Set(2, "/c/x", Int(1))   // same value: no change
	tr.Apply(1, SetOp("/c/y/state", String("Dialing")), SetOp("/c/y/number", String("600")), SetOp("/other2", Int(1)))
	tr.Remove(3, "/c/y")
	cancel()
	tr.Set(1, "/c/x", Int(9))
	want := []string{
		"#1 initial /c/x = 0",
		"#2 /c/x = 1",
		"#5 /c/y/state = \"Dialing\" /c/y/number = \"600\"",
		"#6 /c/y/number removed /c/y/state removed",
	}
	if got := r.lines(); !slices.Equal(got, want) {
		t.Errorf("batches =\n%q\nwant\n%q", got, want)
	}
	if names, _ := tr.Children("/c"); !slices.Equal(names, []string{"x"}) {
		t.Errorf("Children(/c) after remove = %q, want [x]", names)
	}
}

func TestOwnerVanishes(t *testing.T) {
	tr := New()
	tr.Set(1, "/Communications/QNetworkRegistration/asterisk/requestChannel", String("r"))
	tr.Set(1, "/Communications/QNetworkRegistration/asterisk/registrationState", String("Home"))
	tr.Set(2, "/Communications/QNetworkRegistration/modem/registrationState", String("None"))
	tr.Set(1, "/shared", Int(1))
	tr.Set(2, "/shared", Int(2)) // 2 takes it over
	var r recorder
	tr.Subscribe("/", r.sink)
	tr.RemoveOwner(1)
	want := []string{
		"#5 initial /Communications/QNetworkRegistration/asterisk/registrationState = \"Home\" /Communications/QNetworkRegistration/asterisk/requestChannel = \"r\" /Communications/QNetworkRegistration/modem/registrationState = \"None\" /shared = 2",
		"#6 /Communications/QNetworkRegistration/asterisk/registrationState removed /Communications/QNetworkRegistration/asterisk/requestChannel removed",
	}
	if got := r.lines(); !slices.Equal(got, want) {
		t.Errorf("batches =\n%q\nwant\n%q", got, want)
	}
	if names, _ := tr.Children("/Communications/QNetworkRegistration"); !slices.Equal(names, []string{"modem"}) {
		t.Errorf("services left = %q, want [modem]", names)
	}
	e, ok := tr.Lookup("/shared")
	if !ok || e.Owner != 2 {
		t.Errorf("Lookup(/shared) = %+v %v, want owner 2", e, ok)
	}
	tr.RemoveOwner(2)
	if all, _ := tr.Snapshot("/"); len(all) != 0 {
		t.Errorf("tree not empty after both owners left:\n%s", Dump(all))
	}
}

func TestValueAndChildrenCoexist(t *testing.T) {
	tr := New()
	tr.Set(1, "/a", String("dir value"))
	tr.Set(2, "/a/b", Int(1))
	tr.RemoveOwner(1)
	if _, ok := tr.Get("/a"); ok {
		t.Errorf("/a still has a value")
	}
	if v, ok := tr.Get("/a/b"); !ok || !v.Equal(Int(1)) {
		t.Errorf("/a/b = %v %v, want 1", v, ok)
	}
}

func TestParse(t *testing.T) {
	cases := []struct {
		in   string
		want Value
	}{
		{"true", Bool(true)},
		{"false", Bool(false)},
		{"12", Int(12)},
		{"-3", Int(-3)},
		{"Home", String("Home")},
		{`"12"`, String("12")},
		{"[Asterisk, Voice]", Strings("Asterisk", "Voice")},
		{`["a,b", c]`, Strings("a,b", "c")},
		{`[a,]`, String("[a,]")},
		{`["a" b]`, String(`["a" b]`)},
		{"[]", Strings()},
	}
	for _, c := range cases {
		if got := Parse(c.in); !got.Equal(c.want) {
			t.Errorf("Parse(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}

func BenchmarkSetNotify(b *testing.B) {
	tr := New()
	n := 0
	tr.Subscribe("/Communications", func(Batch) { n++ })
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		tr.Set(1, "/Communications/Calls/1/state", Int(int64(i)))
	}
	if n == 0 {
		b.Fatal("no notifications")
	}
}

func BenchmarkGet(b *testing.B) {
	tr := New()
	tr.Set(1, "/Communications/QNetworkRegistration/asterisk/registrationState", String("Home"))
	b.ReportAllocs()
	for b.Loop() {
		tr.Get("/Communications/QNetworkRegistration/asterisk/registrationState")
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"true", "12", "-3", "Home", `"12"`, "[Asterisk, Voice]", `["a,b", c]`, "[]", `"\x00"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v := Parse(s)
		if !v.Valid() {
			t.Fatalf("Parse(%q) is invalid", s)
		}
		if w := Parse(v.String()); !w.Equal(v) {
			t.Fatalf("Parse(%q) = %v, but Parse of that = %v", s, v, w)
		}
	})
}

func FuzzClean(f *testing.F) {
	for _, s := range []string{"/", "/a/b/", "a", "//", "/Communications/Calls/1/state"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := Clean(s)
		if err != nil {
			return
		}
		if again, err := Clean(c); err != nil || again != c {
			t.Fatalf("Clean(Clean(%q)) = %q %v, want %q", s, again, err, c)
		}
		if c != "/" && (strings.HasSuffix(c, "/") || strings.Contains(c, "//")) {
			t.Fatalf("Clean(%q) = %q", s, c)
		}
		tr := New()
		if c != "/" {
			if err := tr.Set(1, c, Int(1)); err != nil {
				t.Fatalf("Set(Clean(%q)) = %v", s, err)
			}
			if _, ok := tr.Get(s); !ok {
				t.Fatalf("Get(%q) after Set(%q) missing", s, c)
			}
			tr.RemoveOwner(1)
			if names, _ := tr.Children("/"); len(names) != 0 {
				t.Fatalf("tree not empty after RemoveOwner: %q", names)
			}
		}
	})
}
