package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
)

const sample = `goos: linux
BenchmarkG711Frame/ulaw/ringo-2   	10000000	       130.5 ns/op	       0 B/op	       0 allocs/op
BenchmarkImage/ringo 	1	2880000 bytes
BenchmarkImage/modules-qemu-virt 	1	5560000 bytes
BenchmarkImage/modules-pinephone-1.2 	1	6920000 bytes
BenchmarkBootToHome-2   	       1	         2.5 home-s	0 ns/op
    bench_test.go:52: phoned start → Home: median 112.5ms of 5 (includes iaxpbx start and iaxsettings)
    bench_test.go:86: phoned idle: RSS 6600 KiB, 12 wakeups/min (context switches, all threads, 30s window)
`

func TestRows(t *testing.T) {
	in, err := read(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	figs := []figure{
		{section: "a", name: "ulaw", bench: "BenchmarkG711Frame/ulaw/ringo", unit: "ns/op", shown: "ns", goal: goal{"<=", 120}},
		{section: "a", name: "ringo", bench: "BenchmarkImage/ringo", unit: "bytes", show: mb, shown: "MB", goal: goal{"<=", 10}},
		{section: "a", name: "modules, ", bench: "BenchmarkImage/modules-*", unit: "bytes", show: mb, shown: "MB"},
		{section: "b", name: "home", bench: "BenchmarkBootToHome", unit: "home-s", shown: "s", goal: goal{"<=", 3}},
		{section: "b", name: "stack", log: regexp.MustCompile(`phoned start → Home: median (\S+) of`), shown: "ms", goal: goal{"<=", 112}},
		{section: "b", name: "rss", log: regexp.MustCompile(`phoned idle: RSS (\d+) KiB`), shown: "KiB"},
		{section: "b", name: "absent", bench: "BenchmarkNone", unit: "ns/op", goal: goal{"<=", 1}},
	}
	want := []row{
		{"a", "ulaw", "130.5 ns", "<= 120.0 ns", "OVER"},
		{"a", "ringo", "2.88 MB", "<= 10.0 MB", "ok"},
		{"a", "modules, qemu-virt", "5.56 MB", "-", "-"},
		{"a", "modules, pinephone-1.2", "6.92 MB", "-", "-"},
		{"b", "home", "2.50 s", "<= 3.00 s", "ok"},
		{"b", "stack", "112.5 ms", "<= 112.0 ms", "OVER"},
		{"b", "rss", "6600 KiB", "-", "-"},
		{"b", "absent", "", "<= 1.00 ns/op", "not run"},
	}
	got := rows(figs, in)
	if len(got) != len(want) {
		t.Fatalf("rows = %d rows %v, want %d", len(got), got, len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	var out bytes.Buffer
	if over := render(&out, figs, in); over != 2 {
		t.Errorf("render counted %d OVER, want 2:\n%s", over, out.String())
	}
}

// Every figure names its source one way, and every goal has a direction.
func TestFiguresWellFormed(t *testing.T) {
	for _, f := range figures {
		if (f.log == nil) == (f.bench == "") {
			t.Errorf("figure %q: give a bench or a log pattern, not both or neither", f.name)
		}
		if f.bench != "" && f.unit == "" {
			t.Errorf("figure %q: a bench figure needs its metric's unit", f.name)
		}
		if f.log != nil && f.log.NumSubexp() < 1 {
			t.Errorf("figure %q: the log pattern needs a group for the value", f.name)
		}
	}
}
