// Command benchtable prints one table of every figure docs/PERFORMANCE.md
// records, each beside its goal, from what `make bench` ran:
//
//	make bench   # runs the benchmarks into build/bench.out, then:
//	benchtable < build/bench.out
//
// It reads Go's benchmark output (a "BenchmarkName-N  iterations  value
// unit  value unit ..." line per benchmark, b.ReportMetric's figures
// among them; tools/imageparts prints the image's parts the same way)
// and the log lines of the measurements that are tests (TestBench...,
// read by a pattern per figure). Each row says ok, OVER (the goal is
// missed: a regression, or a goal not met yet), "-" (a figure without a
// goal) or "not run" (nothing in the input gave it). figures.go lists
// the figures and their goals; a new figure in docs/PERFORMANCE.md gets a
// row there. It exits 0 whatever the verdicts: the table is for reading.
package main

import (
	"os"

	"github.com/ringo-phone/ringo/internal/command"
)

func main() { command.Main(run, os.Interrupt) }
