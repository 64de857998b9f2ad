package udprelay

import (
	"errors"
	"fmt"
	"testing"
)

func run(t *testing.T, im Impairment, seed uint64, n int) []string {
	t.Helper()
	z, err := NewImpairer(im, seed)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i := range n {
		out, _ := z.Process(Packet{Data: []byte{byte(i)}})
		for _, p := range out {
			got = append(got, fmt.Sprint(p.Data[0]))
		}
	}
	if p, ok := z.Release(); ok {
		got = append(got, fmt.Sprint(p.Data[0]))
	}
	return got
}

func TestImpairerIdentity(t *testing.T) {
	got := fmt.Sprint(run(t, Impairment{}, 1, 5))
	if want := "[0 1 2 3 4]"; got != want {
		t.Errorf("no impairment: got %s, want %s", got, want)
	}
}

// With Reorder 1 every other datagram is held and overtaken by the next.
func TestImpairerReorderSwapsPairs(t *testing.T) {
	got := fmt.Sprint(run(t, Impairment{Reorder: 1}, 1, 5))
	if want := "[1 0 3 2 4]"; got != want {
		t.Errorf("reorder 1: got %s, want %s", got, want)
	}
}

func TestImpairerDuplicateAll(t *testing.T) {
	got := fmt.Sprint(run(t, Impairment{Duplicate: 1}, 1, 3))
	if want := "[0 0 1 1 2 2]"; got != want {
		t.Errorf("duplicate 1: got %s, want %s", got, want)
	}
}

func TestImpairerLoseAll(t *testing.T) {
	if got := run(t, Impairment{Loss: 1, Reorder: 1}, 1, 10); len(got) != 0 {
		t.Errorf("loss 1: got %v, want nothing", got)
	}
}

func TestImpairerSeedRepeats(t *testing.T) {
	im := Impairment{Loss: 0.1, Duplicate: 0.05, Reorder: 0.05}
	a := fmt.Sprint(run(t, im, 7, 500))
	b := fmt.Sprint(run(t, im, 7, 500))
	c := fmt.Sprint(run(t, im, 8, 500))
	if a != b {
		t.Error("the same seed gave two different runs")
	}
	if a == c {
		t.Error("seeds 7 and 8 gave the same run")
	}
}

// Over many datagrams the rates come out near what was asked.
func TestImpairerRates(t *testing.T) {
	z, err := NewImpairer(Impairment{Loss: 0.1, Duplicate: 0.05, Reorder: 0.05}, 42)
	if err != nil {
		t.Fatal(err)
	}
	const n = 20000
	for i := range n {
		z.Process(Packet{Data: []byte{byte(i)}})
	}
	c := z.Counts()
	check := func(name string, got uint64, p float64) {
		want := p * n
		if float64(got) < 0.85*want || float64(got) > 1.15*want {
			t.Errorf("%s = %d of %d, want about %.0f", name, got, n, want)
		}
	}
	check("Lost", c.Lost, 0.1)
	check("Duplicated", c.Duplicated, 0.9*0.05)
	check("Reordered", c.Reordered, 0.9*0.05)
	if c.In != n {
		t.Errorf("In = %d, want %d", c.In, n)
	}
}

func TestImpairerBadConfig(t *testing.T) {
	for _, im := range []Impairment{{Loss: -0.1}, {Duplicate: 1.5}, {Reorder: 2}} {
		if _, err := NewImpairer(im, 1); !errors.Is(err, ErrBadConfig) {
			t.Errorf("NewImpairer(%+v) = %v, want ErrBadConfig", im, err)
		}
	}
}
