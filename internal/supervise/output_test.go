package supervise

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

func lines(t *testing.T, in string, max int) []string {
	t.Helper()
	var out []string
	if err := readLines(strings.NewReader(in), max, func(l string) { out = append(out, l) }); err != nil {
		t.Fatalf("readLines: %v", err)
	}
	return out
}

// A 200 KiB line is cut with a marker, the rest of it dropped, and the
// next line comes through whole.
func TestReadLinesLongLine(t *testing.T) {
	long := strings.Repeat("x", 200<<10)
	got := lines(t, long+"\nnext\n", 64<<10)
	if len(got) != 2 {
		t.Fatalf("got %d lines, want 2", len(got))
	}
	want := strings.Repeat("x", 64<<10) + fmt.Sprintf(cutMarker, 64<<10, 200<<10)
	if got[0] != want {
		t.Errorf("long line = %d bytes ending %q, want %d bytes ending %q", len(got[0]), got[0][len(got[0])-40:], len(want), want[len(want)-40:])
	}
	if got[1] != "next" {
		t.Errorf("next line = %q, want \"next\"", got[1])
	}
}

func TestReadLines(t *testing.T) {
	for _, tc := range []struct {
		in   string
		max  int
		want []string
	}{
		{"a\nb\n", 10, []string{"a", "b"}},
		{"a\r\nb", 10, []string{"a", "b"}},
		{"\n\n", 10, []string{"", ""}},
		{"", 10, nil},
		{"abcdef\ngh\n", 4, []string{"abcd" + fmt.Sprintf(cutMarker, 4, 6), "gh"}},
		// "é" is two bytes: a cut in its middle drops it whole.
		{"abcé\n", 4, []string{"abc" + fmt.Sprintf(cutMarker, 3, 5)}},
	} {
		got := lines(t, tc.in, tc.max)
		if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", tc.want) {
			t.Errorf("readLines(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
		}
	}
}

// Whatever the input, reading ends, every line is valid UTF-8 if the input
// was, and no line is longer than the limit plus the marker.
func FuzzReadLines(f *testing.F) {
	f.Add("a\nb\r\n", 3)
	f.Add(strings.Repeat("é", 100)+"\n", 7)
	f.Add("\n", 1)
	f.Fuzz(func(t *testing.T, in string, max int) {
		max = 1 + (max&0xffff)%8192
		var got []string
		if err := readLines(strings.NewReader(in), max, func(l string) { got = append(got, l) }); err != nil {
			t.Fatal(err)
		}
		limit := max + len(fmt.Sprintf(cutMarker, max, len(in)))
		for _, l := range got {
			if len(l) > limit {
				t.Fatalf("line of %d bytes, limit %d", len(l), limit)
			}
			if utf8.ValidString(in) && !utf8.ValidString(l) {
				t.Fatalf("line %q is not valid UTF-8", l)
			}
		}
		if n := strings.Count(in, "\n"); len(got) < n || len(got) > n+1 {
			t.Fatalf("%d lines from %d newlines", len(got), n)
		}
	})
}

func TestRing(t *testing.T) {
	r := newRing(3, 1<<10)
	for _, s := range []string{"a", "b"} {
		r.add(s)
	}
	if got := r.last(); strings.Join(got, ",") != "a,b" {
		t.Errorf("last() = %q, want [a b]", got)
	}
	for _, s := range []string{"c", "d", "e"} {
		r.add(s)
	}
	if got := r.last(); strings.Join(got, ",") != "c,d,e" {
		t.Errorf("last() = %q, want [c d e]", got)
	}
}

// The byte bound drops old lines before the line bound does, and a line
// larger than the bound alone is cut to it.
func TestRingBytes(t *testing.T) {
	r := newRing(100, 10)
	for _, s := range []string{"aaaa", "bbbb", "cccc"} {
		r.add(s)
	}
	if got := strings.Join(r.last(), ","); got != "bbbb,cccc" {
		t.Errorf("last() = %q, want bbbb,cccc (10 bytes at most)", got)
	}
	r.add(strings.Repeat("z", 25))
	if got := r.last(); len(got) != 1 || got[0] != strings.Repeat("z", 10) {
		t.Errorf("last() = %q, want one line of 10 z", got)
	}
	for i := range 1000 {
		r.add(fmt.Sprint(i % 10))
	}
	total := 0
	for _, l := range r.last() {
		total += len(l)
	}
	if total > 10 || len(r.last()) > 100 {
		t.Errorf("ring holds %d lines, %d bytes; bounds 100, 10", len(r.last()), total)
	}
}
