package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ringo-phone/ringo/internal/command"
)

func run(ctx context.Context, args []string, env command.Env) int {
	fs := flag.NewFlagSet("benchtable", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: benchtable < build/bench.out   (make bench's output on stdin; no flags but -h)")
	}
	if code, ok := command.Parse(fs, args, env); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintln(env.Stderr, "benchtable: takes no arguments; give it make bench's output on stdin: benchtable < build/bench.out")
		return command.ExitUsage
	}
	in, err := read(env.Stdin)
	if err != nil {
		return command.Exit(env, "benchtable", err)
	}
	over := render(env.Stdout, figures, in)
	if over > 0 {
		fmt.Fprintf(env.Stdout, "\n%d figure(s) OVER their goal: see docs/PERFORMANCE.md for what each measures.\n", over)
	}
	return command.ExitOK
}

// input is what one make bench run printed.
type input struct {
	// metrics are the benchmarks' figures: benchmark name (without the
	// -GOMAXPROCS suffix) → unit → value, the last run's when a
	// benchmark ran more than once.
	metrics map[string]map[string]float64
	order   []string // benchmark names, in the order first seen
	lines   []string // every line, for the figures read from test logs
}

// benchLine is "BenchmarkName[-N]  iterations  value unit [value unit...]".
var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+\d+\s+(.*)$`)

func read(r io.Reader) (*input, error) {
	in := &input{metrics: map[string]map[string]float64{}}
	s := bufio.NewScanner(r)
	s.Buffer(make([]byte, 64<<10), 1<<20)
	for s.Scan() {
		line := s.Text()
		in.lines = append(in.lines, line)
		m := benchLine.FindStringSubmatch(strings.TrimSpace(line))
		if m == nil {
			continue
		}
		f := strings.Fields(m[2])
		if len(f)%2 != 0 {
			continue
		}
		name := m[1]
		if in.metrics[name] == nil {
			in.metrics[name] = map[string]float64{}
			in.order = append(in.order, name)
		}
		for i := 0; i < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			in.metrics[name][f[i+1]] = v
		}
	}
	if err := s.Err(); err != nil {
		return nil, fmt.Errorf("reading the benchmark output: %w", err)
	}
	return in, nil
}

// figure is one row of the table: a value from a benchmark's metric or
// from a test's log line, and its goal.
type figure struct {
	section string
	name    string
	// bench and unit pick a benchmark metric. A bench ending in "*" is
	// every benchmark with that prefix, a row each, named by the rest.
	bench, unit string
	// log, instead, is a pattern whose first group is the value, found in
	// a test's log line; a value with a unit ("112ms") is a duration,
	// shown in unit (ms or s).
	log *regexp.Regexp
	// show converts the value for display (nil: as it is) with its unit.
	show  func(float64) float64
	shown string
	goal  goal
}

// goal is "at most" (max) or "at least" (min) a value, in the shown
// unit; the zero goal is none.
type goal struct {
	op    string // "<=" or ">="; "" for none
	value float64
}

func (g goal) String() string {
	if g.op == "" {
		return "-"
	}
	return g.op + " " + num(g.value)
}

func (g goal) met(v float64) bool {
	switch g.op {
	case "<=":
		return v <= g.value
	case ">=":
		return v >= g.value
	}
	return true
}

func num(v float64) string {
	switch a := math.Abs(v); {
	case a == 0:
		return "0"
	case a >= 1000:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case a >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	case a >= 0.01:
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

type row struct {
	section, name, value, goal, verdict string
}

// rows resolves the figures against one run's output.
func rows(figs []figure, in *input) []row {
	var out []row
	for _, f := range figs {
		unit := f.shown
		if unit == "" {
			unit = f.unit
		}
		add := func(name string, v float64, ok bool) {
			r := row{section: f.section, name: name, goal: f.goal.String(), value: "", verdict: "not run"}
			if f.goal.op != "" {
				r.goal += " " + unit
			}
			if ok {
				if f.show != nil {
					v = f.show(v)
				}
				r.value = num(v) + " " + unit
				switch {
				case f.goal.op == "":
					r.verdict = "-"
				case f.goal.met(v):
					r.verdict = "ok"
				default:
					r.verdict = "OVER"
				}
			}
			out = append(out, r)
		}
		switch {
		case f.log != nil:
			v, ok := fromLog(f.log, f.shown, in.lines)
			add(f.name, v, ok)
		case strings.HasSuffix(f.bench, "*"):
			prefix := strings.TrimSuffix(f.bench, "*")
			found := false
			for _, b := range in.order {
				if rest, ok := strings.CutPrefix(b, prefix); ok {
					if v, ok := in.metrics[b][f.unit]; ok {
						found = true
						add(f.name+rest, v, true)
					}
				}
			}
			if !found {
				add(f.name+"*", 0, false)
			}
		default:
			v, ok := in.metrics[f.bench][f.unit]
			add(f.name, v, ok)
		}
	}
	return out
}

// fromLog finds the pattern's last match in the lines and reads its
// first group: a number, or a duration converted to unit ("ms" or "s").
func fromLog(re *regexp.Regexp, unit string, lines []string) (float64, bool) {
	for i := len(lines) - 1; i >= 0; i-- {
		m := re.FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		if v, err := strconv.ParseFloat(m[1], 64); err == nil {
			return v, true
		}
		d, err := time.ParseDuration(m[1])
		if err != nil {
			return 0, false
		}
		if unit == "ms" {
			return float64(d) / float64(time.Millisecond), true
		}
		return d.Seconds(), true
	}
	return 0, false
}

// render prints the table and returns how many rows are OVER.
func render(w io.Writer, figs []figure, in *input) int {
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "figure\tvalue\tgoal\tverdict")
	over, section := 0, ""
	for _, r := range rows(figs, in) {
		if r.section != section {
			section = r.section
			fmt.Fprintf(tw, "%s\t\t\t\n", "## "+section)
		}
		if r.verdict == "OVER" {
			over++
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.name, r.value, r.goal, r.verdict)
	}
	tw.Flush()
	return over
}
